"""The reviewed table of official acts: the legal instruments that listed and delisted the group.

The article is a secondary source; these rows are the primary record its designation dates are
checked against (DATA_CONTRACT.md, "The record"). Like the estimator table, each row is a
reviewed fact from outside the article, with the URL it was found at and the words the date was
taken from. An act that could not be sourced is not here (docs/record.md lists them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ACT_TYPES = ("listing", "delisting")


@dataclass(frozen=True)
class OfficialAct:
    act_id: str  # stable slug, e.g. "us-fto-listing-1997"
    authority_code: str  # as designations.authority_code: ISO 3166-1 alpha-2, or EU / UN
    authority: str  # the body that made the act, e.g. "United States Department of State"
    act_type: str  # listing or delisting
    program: str  # the list or regime, e.g. "Foreign Terrorist Organizations (INA section 219)"
    official_date: dt.date  # the date the act took effect, as the instrument gives it
    instrument: str  # the citation, e.g. a Federal Register notice or statutory instrument
    url: str  # where the act (or the best official page about it) can be read
    evidence: str  # the quoted words the date was taken from
    evidence_url: str  # where those words were found (equals url when the primary is stored)
    note: str | None = None  # what a reviewer should know (secondary source, other dates)

    def __post_init__(self) -> None:
        if self.act_type not in ACT_TYPES:
            raise ValueError(f"act {self.act_id}: act_type {self.act_type!r} not in {ACT_TYPES}")
        for name in ("url", "evidence_url"):
            if not getattr(self, name).startswith(("https://", "http://")):
                raise ValueError(f"act {self.act_id}: {name} is not a URL")
        if not self.evidence.strip():
            raise ValueError(f"act {self.act_id}: no evidence quoted")


@dataclass(frozen=True)
class WikidataItem:
    """A Wikidata item the QuickStatements export names: a listing authority (P3461's value),
    keyed by its authority code, or the group itself (the statements' subject). The same type
    holds the properties the export uses (WIKIDATA_PROPERTIES: key and qid are the P-id)."""

    key: str  # the authority code (US, GB, EU, ...), or "group" for the organisation
    qid: str  # e.g. "Q30"
    label: str  # the item's English label
    source_url: str  # where the Q-id was confirmed
    evidence: str  # the quoted words that tie the Q-id to the label


# Evidence is quoted verbatim; "[…]" marks words left out between two quoted passages of the
# same page, and runs of whitespace (line breaks of the page) are written as one space.
_US_DELISTING_NOTE_URL = (
    "https://webarchive.library.unt.edu/web/20121018080705/http://statedept.tumblr.com/tagged/iraq"
)
_US_DELISTING_EVIDENCE = (
    "Delisting of the Mujahedin-e Khalq Media Note Office of the Spokesperson Washington, DC "
    "September 28, 2012 The Secretary of State has decided, consistent with the law, to revoke "
    "the designation of the Mujahedin-e Khalq (MEK) and its aliases as a Foreign Terrorist "
    "Organization (FTO) under the Immigration and Nationality Act and to delist the MEK as a "
    "Specially Designated Global Terrorist under Executive Order 13224. These actions are "
    "effective today."
)
_US_DELISTING_NOTE = (
    "State Department media note, read in the University of North Texas web archive of the "
    "Department's site (also reproduced at http://iranprimer.usip.org/blog/2012/sep/28/"
    "us-takes-mek-terrorism-list). It says 'These actions will be published in the Federal "
    "Register.'; that Federal Register notice is not in the stored sources, so the instrument "
    "is cited as the Secretary's decision of the day. The Australian Parliamentary Library "
    "agrees: 'on 28 September 2012, the US Secretary of State formally removed the Iranian "
    "group, the Mujahideen-e-Khalq (MeK), from the US Government's list of Foreign Terrorist "
    "Organizations (FTO) and delisted it as a Specially Designated Global Terrorist' "
    "(https://www.aph.gov.au/About_Parliament/Parliamentary_departments/Parliamentary_Library/"
    "FlagPost/2012/December/Delisting_the_MujahideeneKhalq_MeK)."
)

OFFICIAL_ACTS: tuple[OfficialAct, ...] = (
    OfficialAct(
        act_id="us-fto-listing",
        authority_code="US",
        authority="United States Secretary of State",
        act_type="listing",
        program="Foreign Terrorist Organizations (INA section 219)",
        official_date=dt.date(1997, 10, 8),
        instrument="Designation of Foreign Terrorist Organizations, 62 Fed. Reg. 52,649-51 "
        "(1997); the MEK entry at 62 Fed. Reg. 52,650",
        url="https://1997-2001.state.gov/statements/971008.html",
        evidence="Remarks on Designation of Terrorist Organizations Washington, DC, October 8, "
        "1997 […] Under a provision of the Anti-Terrorism Act of 1996, I'm designating 30 "
        "groups as foreign terrorist organizations.",
        evidence_url="https://1997-2001.state.gov/statements/971008.html",
        note="The Secretary's remarks (State Department archive) give the day but not the 30 "
        "names. The MEK is tied to this notice by the D.C. Circuit, People's Mojahedin "
        "Organization of Iran v. Department of State, 182 F.3d 17 (1999), fn. 3: 'According to "
        "62 Fed. Reg. at 52,650, the People's Mojahedin Organization of Iran is also known as "
        "the Mujahedin-e Khalq, the MEK, the MKO, the PMOI […]' (https://core-prod.cambridgecore.org/"
        "core/journals/international-legal-materials/article/us-court-of-appeals-for-the-dc-"
        "circuit-peoples-mojahedin-organization-of-iran-v-united-states-department-of-state/"
        "5E3FA30BA10B1FC5CBCEBA3D0A5AF2C7), and the effective date by the American Journal of "
        "International Law: 'See 62 Fed. Reg. 52,649-51 (1997) (designating 30 FTOs). The "
        "designations were published and became effective on October 8.' (https://cambridge.org/"
        "core/journals/american-journal-of-international-law/article/abs/us-designation-of-"
        "foreign-terrorist-organizations/6A662468D923CC41D0286920383B71F2). The Federal "
        "Register page itself is not in the stored sources. The article gives 8 July 1997.",
    ),
    OfficialAct(
        act_id="us-fto-revocation",
        authority_code="US",
        authority="United States Secretary of State",
        act_type="delisting",
        program="Foreign Terrorist Organizations (INA section 219)",
        official_date=dt.date(2012, 9, 28),
        instrument="Revocation of the MEK's designation as a Foreign Terrorist Organization "
        "(Secretary of State, September 28, 2012; State Department media note 'Delisting of "
        "the Mujahedin-e Khalq')",
        url=_US_DELISTING_NOTE_URL,
        evidence=_US_DELISTING_EVIDENCE,
        evidence_url=_US_DELISTING_NOTE_URL,
        note=_US_DELISTING_NOTE,
    ),
    OfficialAct(
        act_id="us-sdgt-removal",
        authority_code="US",
        authority="United States Secretary of State",
        act_type="delisting",
        program="Executive Order 13224 (SDGT)",
        official_date=dt.date(2012, 9, 28),
        instrument="Delisting of the MEK as a Specially Designated Global Terrorist under "
        "Executive Order 13224 (Secretary of State, September 28, 2012; State Department media "
        "note 'Delisting of the Mujahedin-e Khalq')",
        url=_US_DELISTING_NOTE_URL,
        evidence=_US_DELISTING_EVIDENCE,
        evidence_url=_US_DELISTING_NOTE_URL,
        note=_US_DELISTING_NOTE
        + " The matching E.O. 13224 listing is not on record: the stored sources give only "
        "its year ('designated the MEK as a foreign terrorist organization in 1997 under the "
        "Immigration and Nationality Act, and again in 2001 pursuant to section 1(b) of "
        "Executive Order 13224', http://usinfo.org/wf-archive/2003/030815/epf505.htm).",
    ),
    OfficialAct(
        act_id="gb-proscription",
        authority_code="GB",
        authority="United Kingdom Home Secretary (order approved by both Houses of Parliament)",
        act_type="listing",
        program="Terrorism Act 2000, Schedule 2",
        official_date=dt.date(2001, 3, 29),
        instrument="The Terrorism Act 2000 (Proscribed Organisations) (Amendment) Order 2001",
        url="https://api.parliament.uk/historic-hansard/written_answers/2001/feb/28/"
        "terrorist-organisations",
        evidence="Under Section 3(3)(a) of the Terrorism Act 2000 (the 2000 Act), on the 28th "
        "February 2001 the Secretary of State laid before Parliament, in draft, the Terrorism "
        "Act (Proscribed Organisations) (Amendment) Order 2001 which sought to add the PMOI "
        "(known as “the Mujaheddin-e-Khalq” or MeK) to Schedule 2 of the TA 2000 [5/A2/3-19]. "
        "The draft order was approved by affirmative resolution and the Order came into force "
        "on the 29th March 2001.",
        evidence_url="https://swarb.co.uk/c/poac/Alton_SSHDPOAC200711.html",
        note="Evidence: the Proscribed Organisations Appeal Commission's open determination of "
        "30 November 2007 (Lord Alton of Liverpool & others v Secretary of State for the Home "
        "Department, Appeal No PC/02/2006), paragraph 1, as reproduced by swarb.co.uk. The url "
        "is the Home Secretary's written answer of 28 February 2001 (Hansard) listing the "
        "order's 21 organisations, among them 'Mujaheddin e Khalq'. Hansard agrees on the day: "
        "'The Terrorism Act 2000 (Proscribed Organisations) (Amendment) Order 2001, which came "
        "into force on 29 March, added 21 organisations to the 14 already in Schedule 2' "
        "(https://api.parliament.uk/historic-hansard/written-answers/2001/oct/15/"
        "terrorist-organisations), and so does Statewatch. The statutory instrument on "
        "legislation.gov.uk is not in the stored sources. The article gives 28 March 2001.",
    ),
    OfficialAct(
        act_id="gb-proscription-removal",
        authority_code="GB",
        authority="United Kingdom Home Secretary (order approved by both Houses of Parliament)",
        act_type="delisting",
        program="Terrorism Act 2000, Schedule 2",
        official_date=dt.date(2008, 6, 24),
        instrument="The Terrorism Act 2000 (Proscribed Organisations) (Amendment) Order 2008",
        url="https://hansard.parliament.uk/Lords/2008-06-23/debates/08062349000003/"
        "TerrorismAct2000(ProscribedOrganisations)(Amendment)Order2008",
        evidence="However, PMOI’s name was removed from the list of organisations proscribed in "
        "the UK on 24 June 2008, following the decision of a British court in November 2007 "
        "describing that listing as ‘perverse’ and ‘unreasonable’.",
        evidence_url="https://www.iranprobe.com/books-publications/press-displays/content/"
        "134-eu,-vitory-of-justice-over-collusion.html",
        note="Evidence: Court of Justice of the European Union, Press Release No 137/11 of 21 "
        "December 2011 (Case C-27/09 P), as reproduced on the page given; the Court's own page "
        "is not in the stored sources. The url is the House of Lords debate of 23 June 2008 "
        "approving the draft order that deproscribed the PMOI; the minister said there it "
        "would come into effect 'the day after it is signed by a Minister, which will probably "
        "be tomorrow'. The statutory instrument on legislation.gov.uk is not in the stored "
        "sources.",
    ),
    OfficialAct(
        act_id="eu-listing",
        authority_code="EU",
        authority="Council of the European Union",
        act_type="listing",
        program="EU terrorist list (Common Position 2001/931/CFSP)",
        official_date=dt.date(2002, 5, 2),
        instrument="Council Common Position 2002/340/CFSP of 2 May 2002 updating Common "
        "Position 2001/931/CFSP (OJ 2002 L 116, p. 75)",
        url="https://eu.vlex.com/vid/-26494440",
        evidence="ACTION, initially, for annulment of Common Position 2002/340/CFSP of 2 May "
        "2002 updating Common Position 2001/931/CFSP on the application of specific measures "
        "to combat terrorism",
        evidence_url="https://eu.vlex.com/vid/-26494440",
        note="Date of adoption. Evidence: judgment of the Court of First Instance of 12 "
        "December 2006, Case T-228/02, Organisation des Modjahedines du peuple d'Iran v "
        "Council, which challenged that act 'in so far as the applicant is included in the "
        "list'; the act itself on EUR-Lex is not in the stored sources. The Council's answer "
        "to a parliamentary question gives the same day: 'La décision d'inclure l'organisation "
        "Mujahedin-e-Khalq sur la liste de l'UE […] a été prise par le Conseil, le 2 mai 2002' "
        "(https://peinedemort.org/document/5562/Reponse---Concessions-face-au-terrorisme). The "
        "asset freeze under Regulation (EC) No 2580/2001 came by Council Decision 2002/334/EC "
        "(https://fra.europa.eu/en/caselaw-reference/cjeu-c-2709-p-judgment), whose date is "
        "not in the stored sources. The article gives May 2002.",
    ),
    OfficialAct(
        act_id="eu-delisting",
        authority_code="EU",
        authority="Council of the European Union",
        act_type="delisting",
        program="EU terrorist list (Common Position 2001/931/CFSP)",
        official_date=dt.date(2009, 1, 26),
        instrument="Council Decision 2009/62/EC (implementing Article 2(3) of Regulation (EC) "
        "No 2580/2001)",
        url="https://fra.europa.eu/en/caselaw-reference/cjeu-c-2709-p-judgment",
        evidence="January 26, 2009 BRUSSELS — In a decision that could worsen tensions with "
        "Tehran, the European Union on Monday removed a prominent Iranian opposition group from "
        "its list of banned terror organizations.",
        evidence_url="http://www.david-kilgour.com/2009/Jan_26_2009_03.php",
        note="Date of adoption by the Council of foreign ministers. The instrument is named by "
        "the EU Agency for Fundamental Rights' summary of Case C-27/09 P ('the organisation was "
        "removed from the list by Council Decision of 2009/62/EC'); the Decision on EUR-Lex is "
        "not in the stored sources. The evidence is a New York Times report reproduced on a "
        "personal site; EUobserver reports the same: 'EU foreign ministers meeting in Brussels "
        'on Monday (26 January) agreed as an "A point" […] to remove the People\'s Mojahedin '
        "Organisation of Iran (PMOI) from the EU terrorist register', the decision becoming law "
        "on Tuesday 'after it is published in the EU's Official Journal' "
        "(https://euobserver.com/foreign/27472).",
    ),
    OfficialAct(
        act_id="ca-listing",
        authority_code="CA",
        authority="Governor in Council, Canada (on the recommendation of the Minister of "
        "Public Safety and Emergency Preparedness)",
        act_type="listing",
        program="Criminal Code listed entities (Regulations Establishing a List of Entities)",
        official_date=dt.date(2005, 5, 24),
        instrument="SOR/2005-159, Regulations Amending the Regulations Establishing a List of "
        "Entities (P.C. 2005-1034), Canada Gazette Part II, Extra Vol. 139, No. 4",
        url="https://bac-lac.wayback.archive-it.org/web/20060119133356/http://canadagazette.gc.ca/"
        "partII/2005/20050525-x4/html/extra-e.html",
        evidence="Registration SOR/2005-159 May 24, 2005 CRIMINAL CODE Regulations Amending the "
        "Regulations Establishing a List of Entities P.C. 2005-1034 May 24, 2005",
        evidence_url="https://bac-lac.wayback.archive-it.org/web/20060119133356/"
        "http://canadagazette.gc.ca/partII/2005/20050525-x4/html/extra-e.html",
        note="Canada Gazette in the Library and Archives Canada web archive. official_date is "
        "the registration date: the stored excerpt ends before the MEK entry and the "
        "coming-into-force section, so a reviewer should confirm both on the full page. The MEK "
        "is tied to this listing by the Minister's release of the same day: 'OTTAWA , May 24, "
        "2005 -- […] the Government of Canada has listed the following entities, pursuant to "
        "the Criminal Code: The Mujahedin-e-Khalq (MEK)' (reproduced at http://irandidban.com/"
        "en/news/13084-MKO-in-Canadian-Blacklist).",
    ),
    OfficialAct(
        act_id="ca-delisting",
        authority_code="CA",
        authority="Governor in Council, Canada (on the recommendation of the Minister of "
        "Public Safety and Emergency Preparedness)",
        act_type="delisting",
        program="Criminal Code listed entities (Regulations Establishing a List of Entities)",
        official_date=dt.date(2012, 12, 17),
        instrument="SOR/2012-299, Regulations Amending the Regulations Establishing a List of "
        "Entities (P.C. 2012-1768), Canada Gazette Part II, Extra Vol. 146, No. 2",
        url="https://usccar.org/2012/12/canada-removes-mek-from-blacklist",
        evidence="OTTAWA, THURSDAY, DECEMBER 20, 2012 Registration SOR/2012-299 December 17, "
        "2012 CRIMINAL CODE Regulations Amending the Regulations Establishing a List of "
        "Entities P.C. 2012-1768 December 17, 2012 […] 1. Section 1 of the Regulations "
        "Establishing a List of Entities (see footnote 1) is amended by deleting the following: "
        "Mujahedin-e-Khalq (MEK)",
        evidence_url="https://usccar.org/2012/12/canada-removes-mek-from-blacklist",
        note="The Canada Gazette text as reproduced by the US Committee for Camp Ashraf "
        "Residents (an advocacy group); the Gazette page itself is not in the stored sources. "
        "official_date is the registration date; the regulations were published on December "
        "20, 2012 (the date the article gives). The coming-into-force section is not in the "
        "stored excerpt: a reviewer should confirm which of the two dates it names.",
    ),
)
"""One row per official act that listed or delisted the group (docs/record.md)."""

_OWID_COUNTRIES_URL = (
    "https://github.com/owid/owid-grapher/blob/c7402d12e25bd1d45f5bd7d66cfc083342a1ed96/"
    "packages/@ourworldindata/grapher/src/mapCharts/CountriesRegions.ts"
)
_PROPERTY_TABLE_URL = (
    "https://github.com/hiropppe/neo4j-js-ng2/blob/fcc69b355599e668475ce7abca712c495e3f0f68/"
    "src/app/service/wikidata.service.ts"
)

WIKIDATA_ITEMS: tuple[WikidataItem, ...] = (
    WikidataItem(
        key="US",
        qid="Q30",
        label="United States of America",
        source_url=_OWID_COUNTRIES_URL,
        evidence="USA,United States,US,USA,111.0,USA,2.0,,XXU,USA0,USA,USA,"
        "http://www.wikidata.org/entity/Q30,United States of America",
    ),
    WikidataItem(
        key="GB",
        qid="Q145",
        label="United Kingdom",
        source_url=_OWID_COUNTRIES_URL,
        evidence="GBR,United Kingdom,GB,GBR,112.0,UKG,200.0,,XXK,UK00,GBR,GBR,"
        "http://www.wikidata.org/entity/Q145,United Kingdom",
    ),
    WikidataItem(
        key="CA",
        qid="Q16",
        label="Canada",
        source_url=_OWID_COUNTRIES_URL,
        evidence="CAN,Canada,CA,CAN,156.0,CAN,20.0,,XXC,CNDA,CAN,CAN,"
        "http://www.wikidata.org/entity/Q16,Canada",
    ),
    WikidataItem(
        key="AU",
        qid="Q408",
        label="Australia",
        source_url=_OWID_COUNTRIES_URL,
        evidence="AUS,Australia,AU,AUS,193.0,AUL,900.0,,AT,AUSL,AUS,AUS,"
        "http://www.wikidata.org/entity/Q408,Australia",
    ),
    WikidataItem(
        key="JP",
        qid="Q17",
        label="Japan",
        source_url=_OWID_COUNTRIES_URL,
        evidence="JPN,Japan,JP,JPN,158.0,JPN,740.0,,JA,JPAN,JPN,JPN,"
        "http://www.wikidata.org/entity/Q17,Japan",
    ),
    WikidataItem(
        key="IQ",
        qid="Q796",
        label="Iraq",
        source_url=_OWID_COUNTRIES_URL,
        evidence="IRQ,Iraq,IQ,IRQ,433.0,IRQ,645.0,IRQ,IQ,IRAQ,IRQ,IRQ,"
        "http://www.wikidata.org/entity/Q796,Iraq",
    ),
    WikidataItem(
        key="IR",
        qid="Q794",
        label="Iran",
        source_url=_OWID_COUNTRIES_URL,
        evidence="IRN,Iran,IR,IRN,429.0,IRN,630.0,IRA,IR,IRAN,IRN,IRN,"
        "http://www.wikidata.org/entity/Q794,Iran",
    ),
    WikidataItem(
        key="group",
        qid="Q636947",
        label="People's Mojahedin Organization of Iran",
        # A SPARQL export of Wikidata's own English label and aliases (retrieved 2026-08-12,
        # CC0): the only stored record found that ties a Q-id to the group's name.
        source_url="https://github.com/sanjaykrishnabaishya/multimodal-trust-safety-ai/blob/"
        "497c423d3957ececcb45fc1cb70c8228632fbd2f/datasets/public/"
        "wikidata_terrorism_candidates_v1/candidates.csv",
        evidence='Q636947,People\'s Mojahedin Organization of Iran,"[""Cult of Rajavi"",'
        '""Iranian Mojahedin"",""MEK"",""MKI"",""MKO"",""Mujahedin-e Khalq"", […] '
        '""PMOI"",""Rajavi Cult""]" […] https://www.wikidata.org/wiki/Q636947',
    ),
    WikidataItem(
        key="EU",
        qid="Q458",
        label="European Union",
        source_url="https://github.com/SpocWiki/_Standards/blob/"
        "111d242e00c0b7519250a2e1737fa0bcae504b94/Earth/Continent/Europe/"
        "EU(European_Union).md",
        evidence='aliases: - "European Union" - European_Union has_id_wikidata: Q458',
    ),
)
"""The Wikidata items the QuickStatements export names: each listing authority by its code,
and the group itself (key "group"), the statements' subject for a release of a file or URL.
"""

WIKIDATA_PROPERTIES: tuple[WikidataItem, ...] = (
    WikidataItem(
        key="P3461",
        qid="P3461",
        label="designated as terrorist by",
        source_url=_PROPERTY_TABLE_URL,
        evidence='"P3461": { "title": "designated as terrorist by", "type": "Item" }',
    ),
    WikidataItem(
        key="P580",
        qid="P580",
        label="start time",
        source_url=_PROPERTY_TABLE_URL,
        evidence='"P580": { "title": "start time", "type": "Point in time" }',
    ),
    WikidataItem(
        key="P582",
        qid="P582",
        label="end time",
        source_url=_PROPERTY_TABLE_URL,
        evidence='"P582": { "title": "end time", "type": "Point in time" }',
    ),
    WikidataItem(
        key="P854",
        qid="P854",
        label="reference URL",
        source_url=_PROPERTY_TABLE_URL,
        evidence='"P854": { "title": "reference URL", "type": "URL" }',
    ),
    WikidataItem(
        key="P4656",
        qid="P4656",
        label="Wikimedia import URL",
        source_url=_PROPERTY_TABLE_URL,
        evidence='"P4656": { "title": "Wikimedia import URL", "type": "URL" }',
    ),
)
"""The Wikidata properties the QuickStatements export uses, with the label each id carries."""
