"""What each practice-act source URL is: its title, its publisher, and whether it is the
publisher's own page or a copy of someone else's document on a third-party site.

The pages name sources by title and publisher instead of "Source 1". Titles are the document's
own where the reference gives it, otherwise a plain description of what the page holds.
A copy (a statute, a case or a paper reposted by a document-sharing or legal-database site) is
flagged: the copy may differ from the original, so findings that rest on one are graded one
confidence level lower (`providers.reference_data`) until a curator checks the original.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class SourceDetail:
    title: str
    publisher: str
    is_copy: bool = False  # a copy of another publisher's document on a third-party site


SOURCE_DETAILS: dict[str, SourceDetail] = {
    "http://www.apta.org/StateIssues/Manipulation/": SourceDetail(
        "Manipulation: state issues", "American Physical Therapy Association (APTA)"
    ),
    "https://docslib.org/doc/8034593/physical-therapists-and-direction-of-mobilization-"
    "manipulation-an-educational-resource-paper": SourceDetail(
        "Physical Therapists and Direction of Mobilization/Manipulation: an educational "
        "resource paper (APTA)",
        "Docslib",
        is_copy=True,
    ),
    "https://apps.leg.wa.gov/rcw/default.aspx?cite=18.74": SourceDetail(
        "RCW chapter 18.74: Physical therapy (including 18.74.190, spinal manipulation "
        "endorsement)",
        "Washington State Legislature",
    ),
    "https://ptwa.wordpress.com/2014/03/": SourceDetail(
        "News posts, March 2014", "Physical Therapy Association of Washington"
    ),
    "https://lawfilesext.leg.wa.gov/biennium/2013-14/Htm/Bills/House%20Bills/2160-S.E.htm": (
        SourceDetail("Engrossed Substitute House Bill 2160 (2014)", "Washington State Legislature")
    ),
    "https://law.justia.com/codes/tennessee/2010/title-63/chapter-4/63-4-101": SourceDetail(
        "Tennessee Code § 63-4-101 (2010)", "Justia", is_copy=True
    ),
    "https://dynamicchiropractic.com/article/36221-tennessee-legislates-who-can-perform-"
    "spinal-manipulation": SourceDetail(
        "Tennessee legislates who can perform spinal manipulation", "Dynamic Chiropractic"
    ),
    "https://mailinglists.mpamedia.com/mpacms/dc/article.php?id=37218": SourceDetail(
        "Article on West Virginia's spinal manipulation training rule",
        "Dynamic Chiropractic (MPA Media)",
    ),
    "https://www.chirobase.org/08Legal/dunning.html": SourceDetail(
        "Article on the Arkansas physical therapist manipulation case", "Chirobase"
    ),
    "https://www.studicata.com/summaries/supreme-court-of-arkansas/teston-v-ar-board-of-"
    "chiropractic-examiners-2005-33mbcd": SourceDetail(
        "Summary of Teston v. Arkansas Board of Chiropractic Examiners (2005)",
        "Studicata",
        is_copy=True,
    ),
    "https://spinalmanipulation.org/2015/02/20/supreme-court-ruling-in-favor-of-alabama-"
    "physical-therapist-in-spinal-manipulation-case": SourceDetail(
        "Supreme Court ruling in favor of Alabama physical therapist in spinal manipulation case",
        "spinalmanipulation.org",
    ),
    "https://getpocketlaw.com/law/state_maine/section-32--3113-a-license-required-"
    "limitations-and-exceptions_5c722069e827": SourceDetail(
        "32 MRSA § 3113-A: License required; limitations and exceptions",
        "PocketLaw",
        is_copy=True,
    ),
    "https://www.maineapta.org/news/current-legislative-items": SourceDetail(
        "Current legislative items", "APTA Maine"
    ),
    "http://www.leginfo.ca.gov/pub/13-14/bill/sen/sb_0351-0400/"
    "sb_381_cfa_20130411_142827_sen_comm.html": SourceDetail(
        "SB 381 (2013): Senate committee analysis", "California Legislature"
    ),
    "https://www.evidenceinmotion.com/blog/2013/04/16/legislators-made-the-right-choice-"
    "manipulation-bill-sb-381-defeated/": SourceDetail(
        "Legislators made the right choice: manipulation bill SB 381 defeated",
        "Evidence in Motion",
    ),
    "https://rehabpub.com/resource-center/white-paper-resources-on-spinal-manipulation-"
    "offered/": SourceDetail(
        "White paper resources on spinal manipulation offered", "Rehab Management"
    ),
    "https://spinalmanipulation.org/2015/05/17/chiropractic-organizations-seek-attorney-"
    "general-opinions-bar-spinal-manipulation-by-physical-therapists": SourceDetail(
        "Chiropractic organizations seek attorney general opinions to bar spinal manipulation "
        "by physical therapists",
        "spinalmanipulation.org",
    ),
    "https://journals.lww.com/jopte/Fulltext/2019/12000/"
    "The_Utilization_of_Spinal_Thrust_Manipulation_by.4.aspx": SourceDetail(
        "Study of the use of spinal thrust manipulation (December 2019)",
        "Journal of Physical Therapy Education",
    ),
    "https://info.5y1.org/west-florida-hospital-physical-therapy_1_6e7537.html": SourceDetail(
        "Levels of Patient Access to Physical Therapist Services (APTA map, July 2019)",
        "5y1.org",
        is_copy=True,
    ),
    "https://www.apta.org/PTinMotion/2016/10/DirectAccess/": SourceDetail(
        "Direct access (PT in Motion, October 2016)", "American Physical Therapy Association"
    ),
    "https://www.apta.org/news/2024/05/24/limited-direct-access-end": SourceDetail(
        "The end of 'limited' direct access (May 2024)", "American Physical Therapy Association"
    ),
    "https://apta.org/article/2024/08/30/2024-state-wins-round-up": SourceDetail(
        "2024 state wins round-up", "American Physical Therapy Association"
    ),
    "https://www.apta.org/article/2023/07/24/state-wins": SourceDetail(
        "State wins (July 2023)", "American Physical Therapy Association"
    ),
    "https://ombudsman.legislature.mi.gov/documents/2025-2026/billanalysis/Senate/htm/"
    "2025-SFA-0144-G.htm": SourceDetail(
        "Senate Fiscal Agency analysis of SB 144 (2025)", "Michigan Legislature"
    ),
    "https://casetext.com/statute/new-jersey-statutes/title-45-professions-and-occupations/"
    "chapter-459-state-board-of-medical-examiners-advisory-committee/section-459-145-"
    "definitions-relative-to-practice-of-chiropractic": SourceDetail(
        "N.J.S.A. 45:9-14.5: Definitions relative to practice of chiropractic",
        "Casetext",
        is_copy=True,
    ),
    "https://cetient.com/case/9758390/bedford-v-riello": SourceDetail(
        "Bedford v. Riello (N.J. 2008)", "Cetient", is_copy=True
    ),
    "https://www.njlawyers.com/blog/2007/april/the-appellate-court-limits-chiropractic-"
    "care-in-/": SourceDetail(
        "The Appellate Court limits chiropractic care (April 2007)", "NJLawyers.com blog"
    ),
    "http://www.newjerseynewsroom.com/healthquest/chiropractors-in-new-jersey-now-face-a-"
    "new-scope-of-practice-thanks-to-new-legislation": SourceDetail(
        "Chiropractors in New Jersey now face a new scope of practice thanks to new legislation",
        "New Jersey Newsroom",
    ),
    "https://www.nysca.com/index.php?option=com_dailyplanetblog&view=entry&year=2000"
    "&month=07&day=31&id=452:nysbc-opinion-regarding-chiropractic-care-of-peripheral-"
    "injuries-": SourceDetail(
        "State Board for Chiropractic opinion on chiropractic care of peripheral injuries "
        "(July 2000)",
        "New York State Chiropractic Association",
    ),
    "https://www.op.nysed.gov/professions/chiropractic/practice-alerts/practice-treating-"
    "peripheral-neuropathy": SourceDetail(
        "Practice alert: treating peripheral neuropathy",
        "New York State Education Department, Office of the Professions",
    ),
    "https://www.wachlerblog.com/expansion-of-michigans-chiropractic-scope-of-practice/": (
        SourceDetail("Expansion of Michigan's chiropractic scope of practice", "Wachler blog")
    ),
    "https://www.chiromi.com/aws/MAC/pt/sp/resources_scope": SourceDetail(
        "Scope of practice resources", "Michigan Association of Chiropractors"
    ),
    "https://descrybe.ai/case-details/c5282527": SourceDetail(
        "Texas Board of Chiropractic Examiners v. Texas Medical Association (2012): case summary",
        "Descrybe",
        is_copy=True,
    ),
    "https://cetient.com/case/2955458/": SourceDetail(
        "Texas Board of Chiropractic Examiners v. Texas Medical Association, 375 S.W.3d 464 "
        "(Tex. App. 2012)",
        "Cetient",
        is_copy=True,
    ),
    "http://www.mass.gov/ocabr/licensee/dpl-boards/ch/regulations/board-policies/"
    "guidelines-on-manipulation-under-anesthesia-mua.html": SourceDetail(
        "Guidelines on manipulation under anesthesia (MUA)",
        "Massachusetts Board of Registration of Chiropractors",
    ),
    "https://chiropracticfuture.org/?p=2393": SourceDetail(
        "Tennessee state profile", "Chiropractic Future"
    ),
    "https://www.law.cornell.edu/regulations/arkansas/029-00-14-Ark-Code-R-SS-002": SourceDetail(
        "Ark. Code R. 029.00.14-002 (Arkansas State Board of Chiropractic Examiners rules)",
        "Legal Information Institute, Cornell Law School",
        is_copy=True,
    ),
    "https://chiro.org/LINKS/ABSTRACTS/The_Chiropractic_Scope_of_Practice.shtml": SourceDetail(
        "The chiropractic scope of practice (survey abstract)", "Chiro.org"
    ),
}


def source_detail(url: str) -> SourceDetail:
    """The title and publisher of a source URL; one a curator added is named by its site."""
    known = SOURCE_DETAILS.get(url)
    if known is not None:
        return known
    host = urlsplit(url).hostname or url
    return SourceDetail(title=url, publisher=host.removeprefix("www."))


def is_copy(url: str) -> bool:
    return source_detail(url).is_copy
