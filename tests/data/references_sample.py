"""Hand-checked references: the expected value of every field, read from the reference text.

The sample is every ninth reference of the bundled article (1, 10, 19, …, 469), the two that
issue 18 names (52, 108), and ten more chosen for kinds the stride misses: journals (11, 56,
78, 85, 282), chapters in CS2 (112, 352), editors before the title (197), a Wayback-only
entry (459), CS2 news (405) and a title in nested quotes (476). Values were written by
reading each reference as Wikipedia's citation templates lay it out, not copied from the
parser.

Conventions (the same ones transforms/schema.py documents):
- A field not named in an entry is expected to be null (``archived`` and
  ``is_short_citation`` False).
- ``published`` is the publication date at the precision written: "2012", "1980-10",
  "2011-12-20"; it gives both ``published_on`` and ``published_on_precision``, and ``year``.
- ``authors`` as written, without the separator or an "ed."/"eds." mark. ``title`` is the
  quoted title (article, chapter) or the italic one (book), without CS1's "(PDF)",
  "(in Persian)" or edition marks. ``work`` is what a quoted piece appeared in (newspaper,
  journal, website, the book of a chapter); null for a book cited whole. ``publisher``
  without the place of publication; a book series is neither. ``pages`` as written, with
  "p."/"pp." where the text has them; a journal's "41 (11): 75–96" gives volume 41, issue
  11, pages 75–96. ``issue`` is the number without its label ("Fasc. 1" gives 1).
- ``full`` is ``full_ref_number`` for a short citation: the first full reference by the
  same author and year, or null when the list has none.
- ``key`` is ``ref_key`` by the rules of docs/references.md (every entry names it): the kind,
  then the identifier or the case-folded words; ``|p=…`` and ``|n=…`` where another entry of
  the list has the same source (the same ISBN at other pages, the same title twice).
"""

from __future__ import annotations

from typing import Any


def ref(number: int, text: str, **fields: Any) -> dict[str, Any]:
    return {"ref_number": number, "text": text, **fields}


SAMPLE: list[dict[str, Any]] = [
    ref(
        1,
        "O'Hern, Steven (2012). Iran's Revolutionary Guard: The Threat That Grows While America "
        "Sleeps. Potomac Books, Inc. p. 208. ISBN 978-1-59797-701-2.",
        authors="O'Hern, Steven",
        published="2012",
        title="Iran's Revolutionary Guard: The Threat That Grows While America Sleeps",
        publisher="Potomac Books, Inc.",
        pages="p. 208",
        isbn="9781597977012",
        key="isbn:9781597977012|p=208",
    ),
    ref(
        10,
        "\"Honoring a Great Hero for Iran's Freedom, World Peace and Security: Hon. Edolphus "
        'Towns of New York in the House of Represetitives, 27 March 2003". United States of '
        "America Congressional Record. Government Printing Office. 2003. p. 7794. This article "
        "incorporates public domain material from websites or documents of the U.S. Government "
        "Publishing Office.",
        title="Honoring a Great Hero for Iran's Freedom, World Peace and Security: Hon. Edolphus "
        "Towns of New York in the House of Represetitives, 27 March 2003",
        work="United States of America Congressional Record",
        publisher="Government Printing Office",
        published="2003",
        pages="p. 7794",
        key=(
            "cite:|honoring a great hero for irans freedom world peace and security hon "
            "edolphus towns of new york in the house of represetitives 27 march 2003|2003"
        ),
    ),
    ref(
        11,
        'Yaghoub Nemati Voroujeni (Summer 2012). "Mujahadeen-e-Khalq (MEK) Organization in the '
        'Imposed War". Negin-e-Iran (in Persian). 41 (11): 75–96. Archived from the original on '
        "18 November 2016. Retrieved 18 November 2016.",
        authors="Yaghoub Nemati Voroujeni",
        published="2012",
        title="Mujahadeen-e-Khalq (MEK) Organization in the Imposed War",
        work="Negin-e-Iran",
        volume="41",
        issue="11",
        pages="75–96",
        archived_on="2016-11-18",
        retrieved_on="2016-11-18",
        archived=True,
        key="cite:voroujeni|mujahadeen e khalq mek organization in the imposed war|2012",
    ),
    ref(
        19,
        'Arie Perliger; William L. Eubank (2006). "Terrorism in Iran and Afghanistan: The Seeds '
        'of the Global Jihad". Middle Eastern Terrorism. Infobase Publishing. pp. 41–42. '
        "ISBN 978-1-4381-0719-6.",
        authors="Arie Perliger; William L. Eubank",
        published="2006",
        title="Terrorism in Iran and Afghanistan: The Seeds of the Global Jihad",
        work="Middle Eastern Terrorism",
        publisher="Infobase Publishing",
        pages="pp. 41–42",
        isbn="9781438107196",
        key="isbn:9781438107196",
    ),
    ref(
        28,
        "Abrahamian 1989, pp. 1–2.",
        authors="Abrahamian",
        year=1989,
        pages="pp. 1–2",
        short=True,
        full=84,
        key="short:abrahamian|1989|1-2",
    ),
    ref(
        37,
        "Abrahamian 1989, p. 197.",
        authors="Abrahamian",
        year=1989,
        pages="p. 197",
        short=True,
        full=84,
        key="short:abrahamian|1989|197",
    ),
    ref(
        46,
        "Abrahamian 1989, p. 208.",
        authors="Abrahamian",
        year=1989,
        pages="p. 208",
        short=True,
        full=84,
        key="short:abrahamian|1989|208",
    ),
    ref(
        52,
        "Ostovar, Afshon (2016). Vanguard of the Imam: Religion, Politics, and Iran's "
        "Revolutionary Guards. Oxford University Press. pp. 73–74. ISBN 978-0-19-049170-3.",
        authors="Ostovar, Afshon",
        published="2016",
        title="Vanguard of the Imam: Religion, Politics, and Iran's Revolutionary Guards",
        publisher="Oxford University Press",
        pages="pp. 73–74",
        isbn="9780190491703",
        key="isbn:9780190491703|p=73-74|n=2",
    ),
    ref(
        55,
        "Farrokh, Kaveh (20 December 2011). Iran at War: 1500–1988. Oxford, England: Osprey "
        "Publishing. ISBN 978-1-78096-221-4.",
        authors="Farrokh, Kaveh",
        published="2011-12-20",
        title="Iran at War: 1500–1988",
        publisher="Osprey Publishing",
        isbn="9781780962214",
        key="isbn:9781780962214",
    ),
    ref(
        56,
        'Cohen, Ronen A. (2 November 2018). "The Mojahedin-e Khalq versus the Islamic Republic '
        'of Iran: from war to propaganda and the war on propaganda and diplomacy". Middle '
        "Eastern Studies. 54 (6): 1000–1014. doi:10.1080/00263206.2018.1478813. ISSN 0026-3206. "
        "S2CID 149542445.",
        authors="Cohen, Ronen A.",
        published="2018-11-02",
        title="The Mojahedin-e Khalq versus the Islamic Republic of Iran: from war to propaganda "
        "and the war on propaganda and diplomacy",
        work="Middle Eastern Studies",
        volume="54",
        issue="6",
        pages="1000–1014",
        doi="10.1080/00263206.2018.1478813",
        key="doi:10.1080/00263206.2018.1478813|p=1000-1014",
    ),
    ref(
        64,
        'Runner, Philippa. "EU ministers drop Iran group from terror list". Euobserver. '
        "Retrieved 29 September 2012.",
        authors="Runner, Philippa",
        title="EU ministers drop Iran group from terror list",
        work="Euobserver",
        retrieved_on="2012-09-29",
        key="cite:runner|eu ministers drop iran group from terror list|",
    ),
    ref(
        73,
        '"Trump allies\' visit throws light on secretive Iranian opposition group".',
        title="Trump allies' visit throws light on secretive Iranian opposition group",
        key="cite:|trump allies visit throws light on secretive iranian opposition group|",
    ),
    ref(
        78,
        'Ram, Haggay (1992). "Crushing the Opposition: Adversaries of the Islamic Republic of '
        'Iran". Middle East Journal. 46 (3): 426–439. JSTOR 4328464.',
        authors="Ram, Haggay",
        published="1992",
        title="Crushing the Opposition: Adversaries of the Islamic Republic of Iran",
        work="Middle East Journal",
        volume="46",
        issue="3",
        pages="426–439",
        key="cite:ram|crushing the opposition adversaries of the islamic republic of iran|1992",
    ),
    ref(
        82,
        "Con Coughlin Khomeini's Ghost: The Iranian Revolution and the Rise of Militant Islam, "
        "Ecco Books 2010 p. 377 n. 21",
        # No template: author and title run together with no separator.
        authors="Con Coughlin",
        title="Khomeini's Ghost: The Iranian Revolution and the Rise of Militant Islam",
        publisher="Ecco Books",
        published="2010",
        pages="p. 377",
        key=(
            "cite:|con coughlin khomeinis ghost the iranian revolution and the rise of "
            "militant islam ecco books 2010|"
        ),
    ),
    ref(
        85,
        'Ali, Asghar (October 1980). "A New Interpretation of Islam". Economic and Political '
        "Weekly. 15 (1654–1655).",
        authors="Ali, Asghar",
        published="1980-10",
        title="A New Interpretation of Islam",
        work="Economic and Political Weekly",
        volume="15",
        issue="1654–1655",
        key="cite:ali|a new interpretation of islam|1980",
    ),
    ref(
        91,
        "Abrahamian 1989, pp. 218–219.",
        authors="Abrahamian",
        year=1989,
        pages="pp. 218–219",
        short=True,
        full=84,
        key="short:abrahamian|1989|218-219",
    ),
    ref(
        100,
        "Katzman 2001, p. 4.",
        authors="Katzman",
        year=2001,
        pages="p. 4",
        short=True,
        key="short:katzman|2001|4",
    ),
    ref(
        108,
        "Vahabzadeh, Peyman (2010). Guerrilla Odyssey: Modernization, Secularism, Democracy, "
        "and the Fadai Period of National Liberation In Iran, 1971–1979. Syracuse University "
        "Press. p. 168. The loss of several leaders in a matter of two years allowed the "
        "promotion of (covert) Marxist members to the Central Cadre. After August 1971, the CC "
        "of OIPM included Reza Rezai, Kazem Zolanvar, and Bahram Aram. Zolanvar's arrest in "
        "1972 brought Majid Sharif Vaqefi to the CC, and Rezai's death in 1973 brought in Taqi "
        "Shahram",
        authors="Vahabzadeh, Peyman",
        published="2010",
        title="Guerrilla Odyssey: Modernization, Secularism, Democracy, and the Fadai Period of "
        "National Liberation In Iran, 1971–1979",
        publisher="Syracuse University Press",
        pages="p. 168",
        key=(
            "cite:vahabzadeh|guerrilla odyssey modernization secularism democracy and the "
            "fadai period of national liberation in iran 1971 1979|2010|p=168"
        ),
    ),
    ref(
        109,
        'Ḥaqšenās, Torāb (27 October 2011) [15 December 1992]. "COMMUNISM iii. In Persia after '
        '1953". In Yarshater, Ehsan (ed.). Encyclopædia Iranica. Fasc. 1. VI. New York City: '
        "Bibliotheca Persica Press. pp. 105–112. Retrieved 12 September 2016.",
        authors="Ḥaqšenās, Torāb",
        published="2011-10-27",
        title="COMMUNISM iii. In Persia after 1953",
        work="Encyclopædia Iranica",
        issue="1",
        volume="VI",
        publisher="Bibliotheca Persica Press",
        pages="pp. 105–112",
        retrieved_on="2016-09-12",
        key="cite:haqsenas|communism iii in persia after 1953|2011",
    ),
    ref(
        112,
        'Newton, Michael (2002), "MacArthur, Douglas II (Intended victim)", The Encyclopedia of '
        "Kidnappings, Facts on File Crime Library, Infobase Publishing, p. 178, ISBN "
        "9781438129884",
        authors="Newton, Michael",
        published="2002",
        title="MacArthur, Douglas II (Intended victim)",
        work="The Encyclopedia of Kidnappings",
        publisher="Infobase Publishing",
        pages="p. 178",
        isbn="9781438129884",
        key="isbn:9781438129884",
    ),
    ref(
        118,
        "Abrahamian 1989, pp. 144–145.",
        authors="Abrahamian",
        year=1989,
        pages="pp. 144–145",
        short=True,
        full=84,
        key="short:abrahamian|1989|144-145",
    ),
    ref(
        127,
        'McGreal, Chris (21 September 2012). "Q&A: what is the MEK and why did the US call it a '
        'terrorist organisation?". the Guardian. Retrieved 11 September 2018.',
        authors="McGreal, Chris",
        published="2012-09-21",
        title="Q&A: what is the MEK and why did the US call it a terrorist organisation?",
        work="the Guardian",
        retrieved_on="2018-09-11",
        key=(
            "cite:mcgreal|q a what is the mek and why did the us call it a terrorist "
            "organisation|2012"
        ),
    ),
    ref(
        136,
        "Steven O'Hern (2012). Iran's Revolutionary Guard: The Threat That Grows While America "
        "Sleeps. Potomac Books, Inc. p. 27–28. ISBN 978-1-59797-701-2.",
        authors="Steven O'Hern",
        published="2012",
        title="Iran's Revolutionary Guard: The Threat That Grows While America Sleeps",
        publisher="Potomac Books, Inc.",
        pages="p. 27–28",
        isbn="9781597977012",
        key="isbn:9781597977012|p=27-28",
    ),
    ref(
        145,
        "Alireza Jafarzadeh (2008). The Iran Threat: President Ahmadinejad and the Coming "
        "Nuclear Crisis. Palgrave Macmillan. pp. 89–90. ISBN 978-0230601284.",
        authors="Alireza Jafarzadeh",
        published="2008",
        title="The Iran Threat: President Ahmadinejad and the Coming Nuclear Crisis",
        publisher="Palgrave Macmillan",
        pages="pp. 89–90",
        isbn="9780230601284",
        key="isbn:9780230601284|p=89-90",
    ),
    ref(
        154,
        "Hiro, Dilip, The Longest War (1999), pp. 246–7.",
        # No template: "Author, Title (Year)".
        authors="Hiro, Dilip",
        title="The Longest War",
        published="1999",
        pages="pp. 246–7",
        key="cite:hiro||1999",
    ),
    ref(
        163,
        '"Iran: Top government officials distorted the truth about 1988 prison massacres". '
        "Retrieved 14 December 2018.",
        title="Iran: Top government officials distorted the truth about 1988 prison massacres",
        retrieved_on="2018-12-14",
        key="cite:|iran top government officials distorted the truth about 1988 prison massacres|",
    ),
    ref(
        172,
        "Harmon & Bowdish 2018, pp. 8–9, 12, 14.",
        authors="Harmon & Bowdish",
        year=2018,
        pages="pp. 8–9, 12, 14",
        short=True,
        key="short:harmon|2018|8-9,12,14",
    ),
    ref(
        181,
        '"France drops charges against Iran opposition group". Fox News.',
        title="France drops charges against Iran opposition group",
        work="Fox News",
        key="cite:|france drops charges against iran opposition group|",
    ),
    ref(
        190,
        "Fayazmanesh, Sasan (2008). The United States and Iran: Sanctions, wars and the policy "
        "of dual containment. ISBN 978-0-415-77396-6.",
        authors="Fayazmanesh, Sasan",
        published="2008",
        title="The United States and Iran: Sanctions, wars and the policy of dual containment",
        isbn="9780415773966",
        key="isbn:9780415773966",
    ),
    ref(
        197,
        'Muhanad Mohammed (11 July 2010). Rania El Gamal; David Stamp (eds.). "Iraqi court seeks '
        'arrest of Iranian exiles". Reuters. Retrieved 28 December 2016.',
        authors="Muhanad Mohammed",
        published="2010-07-11",
        title="Iraqi court seeks arrest of Iranian exiles",
        work="Reuters",
        retrieved_on="2016-12-28",
        key="cite:mohammed|iraqi court seeks arrest of iranian exiles|2010",
    ),
    ref(
        199,
        '"Iran MEK Albania". New York Times.',
        title="Iran MEK Albania",
        work="New York Times",
        key="cite:|iran mek albania||n=2",
    ),
    ref(
        208,
        "Connie Bruck (6 March 2006). \"Exiles: How Iran's Expatriates are Gaming the Nuclear "
        'Threat". The New Yorker: 48.',
        authors="Connie Bruck",
        published="2006-03-06",
        title="Exiles: How Iran's Expatriates are Gaming the Nuclear Threat",
        work="The New Yorker",
        pages="48",
        key="cite:bruck|exiles how irans expatriates are gaming the nuclear threat|2006",
    ),
    ref(
        217,
        'Hauslohner, Abigail (5 January 2008). "Iranian Resistance Group a Source of Contention '
        'in Iraq". Time Magazine. Retrieved 5 January 2008.',
        authors="Hauslohner, Abigail",
        published="2008-01-05",
        title="Iranian Resistance Group a Source of Contention in Iraq",
        work="Time Magazine",
        retrieved_on="2008-01-05",
        key="cite:hauslohner|iranian resistance group a source of contention in iraq|2008",
    ),
    ref(
        226,
        'Glenn Greenwald (23 September 2012), "Five lessons from the de-listing of MEK as a '
        'terrorist group", The Guardian, retrieved 1 December 2016',
        authors="Glenn Greenwald",
        published="2012-09-23",
        title="Five lessons from the de-listing of MEK as a terrorist group",
        work="The Guardian",
        retrieved_on="2016-12-01",
        key="cite:greenwald|five lessons from the de listing of mek as a terrorist group|2012",
    ),
    ref(
        235,
        "Katzman 2001, p. 99.",
        authors="Katzman",
        year=2001,
        pages="p. 99",
        short=True,
        key="short:katzman|2001|99",
    ),
    ref(
        244,
        "Harmon & Bowdish 2018, p. 170.",
        authors="Harmon & Bowdish",
        year=2018,
        pages="p. 170",
        short=True,
        key="short:harmon|2018|170",
    ),
    ref(
        253,
        "Abrahamian 1989, p. 140.",
        authors="Abrahamian",
        year=1989,
        pages="p. 140",
        short=True,
        full=84,
        key="short:abrahamian|1989|140",
    ),
    ref(
        262,
        "Ainsley, Julia; W. Lehren, Andrew; Schapiro, Rich. \"Giuliani's work for Iranian group "
        'with bloody past could lead to more legal woes". NBC News. Retrieved 28 October 2019.',
        authors="Ainsley, Julia; W. Lehren, Andrew; Schapiro, Rich",
        title="Giuliani's work for Iranian group with bloody past could lead to more legal woes",
        work="NBC News",
        retrieved_on="2019-10-28",
        key=(
            "cite:ainsley|giulianis work for iranian group with bloody past could lead to "
            "more legal woes|"
        ),
    ),
    ref(
        271,
        "Abrahamian 1989, p. 233–234.",
        authors="Abrahamian",
        year=1989,
        pages="p. 233–234",
        short=True,
        full=84,
        key="short:abrahamian|1989|233-234",
    ),
    ref(
        280,
        '"Mujahadeen-e-Khalq (Iranian rebels)". Council on Foreign relations. 2005. Archived '
        "from the original on 27 September 2006. Retrieved 5 September 2006.",
        title="Mujahadeen-e-Khalq (Iranian rebels)",
        work="Council on Foreign relations",
        published="2005",
        archived_on="2006-09-27",
        retrieved_on="2006-09-05",
        archived=True,
        key="cite:|mujahadeen e khalq iranian rebels|2005",
    ),
    ref(
        282,
        '"Table 47: Selected Non-State Armed Groups", The Military Balance, 104: 362–377, 2004, '
        "doi:10.1080/725292356, S2CID 219629000",
        title="Table 47: Selected Non-State Armed Groups",
        work="The Military Balance",
        volume="104",
        pages="362–377",
        published="2004",
        doi="10.1080/725292356",
        key="doi:10.1080/725292356",
    ),
    ref(
        289,
        'Kingsley, Patrick (16 February 2020). "Highly Secretive Iranian Rebels Are Holed Up in '
        'Albania. They Gave Us a Tour". The New York Times. Archived from the original on 16 '
        "February 2020. Retrieved 16 February 2020.",
        authors="Kingsley, Patrick",
        published="2020-02-16",
        title="Highly Secretive Iranian Rebels Are Holed Up in Albania. They Gave Us a Tour",
        work="The New York Times",
        archived_on="2020-02-16",
        retrieved_on="2020-02-16",
        archived=True,
        key=(
            "cite:kingsley|highly secretive iranian rebels are holed up in albania they gave "
            "us a tour|2020"
        ),
    ),
    ref(
        298,
        "Crane, Keith; Lal, Rollie (2008). Iran's Political, Demographic, and Economic "
        "Vulnerabilities. Rand Publishing. ISBN 978-0833043047.",
        authors="Crane, Keith; Lal, Rollie",
        published="2008",
        title="Iran's Political, Demographic, and Economic Vulnerabilities",
        publisher="Rand Publishing",
        isbn="9780833043047",
        key="isbn:9780833043047",
    ),
    ref(
        307,
        '"Proscribed terrorist groups or organisations" (PDF). Home Office. 15 July 2016. '
        "Retrieved 27 September 2016. The Mujaheddin e Khalq (MeK) also known as the Peoples' "
        "Mujaheddin of Iran (PMOI) was removed from the list of proscribed groups in June 2008 "
        "as a result of judgments of the POAC and the Court of Appeal.",
        title="Proscribed terrorist groups or organisations",
        work="Home Office",
        published="2016-07-15",
        retrieved_on="2016-09-27",
        key="cite:|proscribed terrorist groups or organisations|2016",
    ),
    ref(
        316,
        'Joby Warrick; Julie Tate (26 November 2011). "For Obscure Iranian Exile Group, Broad '
        'Support in U.S." The New York Times. Retrieved 1 December 2016.',
        authors="Joby Warrick; Julie Tate",
        published="2011-11-26",
        title="For Obscure Iranian Exile Group, Broad Support in U.S.",
        work="The New York Times",
        retrieved_on="2016-12-01",
        key="cite:warrick|for obscure iranian exile group broad support in u s|2011",
    ),
    ref(
        325,
        'Merat, Owen Bennett Jones (15 April 2012). "An Iranian mystery: Just who are the MEK?". '
        "BBC. Retrieved 12 January 2020.",
        authors="Merat, Owen Bennett Jones",
        published="2012-04-15",
        title="An Iranian mystery: Just who are the MEK?",
        work="BBC",
        retrieved_on="2020-01-12",
        key="cite:merat|an iranian mystery just who are the mek|2012",
    ),
    ref(
        334,
        "Anthony H. Cordesman; Adam C. Seitz (2009), Iranian Weapons of Mass Destruction: The "
        "Birth of a Regional Nuclear Arms Race?, Praeger Security International Series, "
        "ABC-LIO, pp. 325–326, ISBN 9780313380884",
        authors="Anthony H. Cordesman; Adam C. Seitz",
        published="2009",
        title="Iranian Weapons of Mass Destruction: The Birth of a Regional Nuclear Arms Race?",
        publisher="ABC-LIO",
        pages="pp. 325–326",
        isbn="9780313380884",
        key="isbn:9780313380884|p=325-326",
    ),
    ref(
        343,
        'Ramsey, Jasmin. "Iranian terrorist group has close US allies". Al Jazeera. Retrieved '
        "12 July 2020.",
        authors="Ramsey, Jasmin",
        title="Iranian terrorist group has close US allies",
        work="Al Jazeera",
        retrieved_on="2020-07-12",
        key="cite:ramsey|iranian terrorist group has close us allies|",
    ),
    ref(
        352,
        'Qasemi, Hamid Reza (2016), "Chapter 12: Iran and Its Policy Against Terrorism", in '
        "Alexander R. Dawoody (ed.), Eradicating Terrorism from the Middle East, Policy and "
        "Administrative Approaches, 17, Springer International Publishing Switzerland, p. 204, "
        "doi:10.1007/978-3-319-31018-3, ISBN 978-3-319-31018-3",
        authors="Qasemi, Hamid Reza",
        published="2016",
        title="Chapter 12: Iran and Its Policy Against Terrorism",
        work="Eradicating Terrorism from the Middle East",
        volume="17",
        publisher="Springer International Publishing Switzerland",
        pages="p. 204",
        doi="10.1007/978-3-319-31018-3",
        isbn="9783319310183",
        key="doi:10.1007/978-3-319-31018-3|p=204",
    ),
    ref(
        361,
        "Axworthy, Michael (2016). Revolutionary Iran: A History of the Islamic Republic. Oxford "
        "University Press. p. 214. ISBN 9780190468965. Retrieved 19 July 2019.",
        authors="Axworthy, Michael",
        published="2016",
        title="Revolutionary Iran: A History of the Islamic Republic",
        publisher="Oxford University Press",
        pages="p. 214",
        isbn="9780190468965",
        retrieved_on="2019-07-19",
        key="isbn:9780190468965|p=214",
    ),
    ref(
        370,
        '"European visit to Albania exposes Iran\'s misinformation campaign", United Press '
        "International, retrieved 11 December 2018",
        title="European visit to Albania exposes Iran's misinformation campaign",
        work="United Press International",
        retrieved_on="2018-12-11",
        key="cite:|european visit to albania exposes irans misinformation campaign|",
    ),
    ref(
        379,
        '"Iran Intelligence Ministry - a report by The Pentagon and The Library of Congress". '
        "10 January 2013. Archived from the original on 23 May 2019. Retrieved 22 April 2019.",
        title="Iran Intelligence Ministry - a report by The Pentagon and The Library of Congress",
        published="2013-01-10",
        archived_on="2019-05-23",
        retrieved_on="2019-04-22",
        archived=True,
        key=(
            "cite:|iran intelligence ministry a report by the pentagon and the library of "
            "congress|2013"
        ),
    ),
    ref(
        388,
        "Boroujerdi, Mehrzad (2018). Postrevolutionary Iran: A Political Handbook. Syracuse "
        "University Press. p. 10. ISBN 978-0815635741.",
        authors="Boroujerdi, Mehrzad",
        published="2018",
        title="Postrevolutionary Iran: A Political Handbook",
        publisher="Syracuse University Press",
        pages="p. 10",
        isbn="9780815635741",
        key="isbn:9780815635741",
    ),
    ref(
        397,
        "Tarzi, Armin (2009). The Iranian Puzzle Piece: Understanding Iran in the Global "
        "Context. p. 10. ISBN 978-1475059717.",
        authors="Tarzi, Armin",
        published="2009",
        title="The Iranian Puzzle Piece: Understanding Iran in the Global Context",
        pages="p. 10",
        isbn="9781475059717",
        key="isbn:9781475059717",
    ),
    ref(
        405,
        'Banerjee, Neela; Jehjuly, Douglas (22 July 2003), "After the War: Intelligence; U.S. '
        'Said to Seek Help of Ex-Iraqi Spies on Iran", The New York Times, retrieved 1 August '
        "2018",
        authors="Banerjee, Neela; Jehjuly, Douglas",
        published="2003-07-22",
        title="After the War: Intelligence; U.S. Said to Seek Help of Ex-Iraqi Spies on Iran",
        work="The New York Times",
        retrieved_on="2018-08-01",
        key=(
            "cite:banerjee|after the war intelligence u s said to seek help of ex iraqi "
            "spies on iran|2003"
        ),
    ),
    ref(
        406,
        "Karl R. DeRouen; Paul Bellamy, eds. (2008). International Security and the United "
        "States: An Encyclopedia. 1. Greenwood Publishing Group. p. 375. ISBN 978-0275992538. "
        "It fostered anti-Iranian activities through the Mujahidin-i Khalq and provided "
        "financial support for Hamas, Islamic Jihad, Palestine Liberation Front and the Arab "
        "Liberation Front.",
        authors="Karl R. DeRouen; Paul Bellamy",
        published="2008",
        title="International Security and the United States: An Encyclopedia",
        volume="1",
        publisher="Greenwood Publishing Group",
        pages="p. 375",
        isbn="9780275992538",
        key="isbn:9780275992538",
    ),
    ref(
        415,
        "Cordesman, Anthony H., ed. (1999), Iraq and the War of Sanctions: Conventional Threats "
        "and Weapons of Mass Destruction, Greenwood Publishing Group, p. 160, ISBN "
        "978-0-275-96528-0, The MEK directs a worldwide campaign against the Iranian government "
        "that stresses propaganda and occasionally uses terrorist violence.",
        authors="Cordesman, Anthony H.",
        published="1999",
        title="Iraq and the War of Sanctions: Conventional Threats and Weapons of Mass Destruction",
        publisher="Greenwood Publishing Group",
        pages="p. 160",
        isbn="9780275965280",
        key="isbn:9780275965280",
    ),
    ref(
        424,
        'Heshmat Alavi (9 June 2019). "My Twitter account has been suspended". Iran Commentary. '
        "Retrieved 13 June 2019 – via",
        authors="Heshmat Alavi",
        published="2019-06-09",
        title="My Twitter account has been suspended",
        work="Iran Commentary",
        retrieved_on="2019-06-13",
        key="cite:alavi|my twitter account has been suspended|2019",
    ),
    ref(
        433,
        "Tahar Boumedra (2013), The United Nations and Human Rights in Iraq, The Untold Story of "
        "Camp Ashraf, New Generation Publishing, pp. 16–23, ISBN 978-1-909740-64-8, I directed "
        "my subordinate units to investigate each allegation. In many cases I personally led "
        "inspection teams on unannounced visits to the MEK facilities where the alleged abuses "
        "were reported to occur. At no time over the 12 month period did we ever discover any "
        "credible evidence supporting the allegations raised in your recent report. (...) Each "
        "report of torture, kidnapping and psychological depravation turned out to be "
        "unsubstantiated.",
        authors="Tahar Boumedra",
        published="2013",
        # CS2 gives a title's own comma and a field's comma the same look.
        title="The United Nations and Human Rights in Iraq, The Untold Story of Camp Ashraf",
        publisher="New Generation Publishing",
        pages="pp. 16–23",
        isbn="9781909740648",
        key="isbn:9781909740648",
    ),
    ref(
        442,
        'Pressly and Kasapi, Linda and Albana (11 November 2019). "The Iranian opposition '
        "fighters who mustn't think about sex\". BBC.",
        authors="Pressly and Kasapi, Linda and Albana",
        published="2019-11-11",
        title="The Iranian opposition fighters who mustn't think about sex",
        work="BBC",
        key="cite:pressly|the iranian opposition fighters who mustnt think about sex|2019|n=2",
    ),
    ref(
        451,
        '"29 arrested in immigration fraud ring", CNN, 16 March 1999, retrieved 5 August 2018',
        title="29 arrested in immigration fraud ring",
        work="CNN",
        published="1999-03-16",
        retrieved_on="2018-08-05",
        key="cite:|29 arrested in immigration fraud ring|1999",
    ),
    ref(
        459,
        "Archived 23 May 2019 at the Wayback Machine | Iran Intelligence Ministry - a report by "
        "The Pentagon and The Library of Congress",
        # The archive link stands before the title: no template renders this order.
        title="Iran Intelligence Ministry - a report by The Pentagon and The Library of Congress",
        archived_on="2019-05-23",
        archived=True,
        key=(
            "cite:|iran intelligence ministry a report by the pentagon and the library of congress|"
        ),
    ),
    ref(
        460,
        "James Cimment (2011). World Terrorism: An Encyclopedia of Political Violence from "
        "Ancient Times to the Post-9/11 Era: An Encyclopedia of Political Violence from Ancient "
        "Times to the Post-9/11 Era, 2nd Edition. Routledge. pp. 73–74. ISBN 978-0765682840. "
        "The strength of the movement inside Iran is uncertain: hundreds of MEK supporters have "
        "been executed and many more tortured and jailed.",
        authors="James Cimment",
        published="2011",
        title="World Terrorism: An Encyclopedia of Political Violence from Ancient Times to the "
        "Post-9/11 Era: An Encyclopedia of Political Violence from Ancient Times to the "
        "Post-9/11 Era, 2nd Edition",
        publisher="Routledge",
        pages="pp. 73–74",
        isbn="9780765682840",
        key="isbn:9780765682840",
    ),
    ref(
        469,
        "David Lesch; Mark L. Haas (2016), The Arab Spring: The Hope and Reality of the "
        "Uprisings, Westview Press, p. 187, ISBN 978-0-8133-4974-9",
        authors="David Lesch; Mark L. Haas",
        published="2016",
        title="The Arab Spring: The Hope and Reality of the Uprisings",
        publisher="Westview Press",
        pages="p. 187",
        isbn="9780813349749",
        key="isbn:9780813349749",
    ),
    ref(
        476,
        '""ماجرای نیمروز۲: رد خون" از چهارشنبه اکران میشود". Tasnim news. Retrieved 22 '
        "September 2019.",
        title='"ماجرای نیمروز۲: رد خون" از چهارشنبه اکران میشود',
        work="Tasnim news",
        retrieved_on="2019-09-22",
        key="cite:|ماجرای نیمروز۲ رد خون از چهارشنبه اکران میشود|",
    ),
]
