"""A seeded, deterministic reverse-mentoring program: notes plus their ground truth.

Every issue sentence is composed from a theme's subjects x problems x a sentence frame, so
each theme has hundreds of phrasings. About a third of each theme's problem phrasings and of
the frames are *held out*: sentences built from them are marked `split="holdout"` in the ground
truth, and synth's rules and tuning must not be developed on them. The ground truth (which span
of which note is which theme, and which people and contact details were planted) is written
beside the export, never into it.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

START = date(2025, 5, 1)
END = date(2026, 10, 31)
SURGE_FROM = date(2026, 8, 1)  # "the last quarter"

REGIONS: dict[str, list[str]] = {
    "Southwest": ["Plano", "Austin", "Phoenix", "Albuquerque", "El Paso"],
    "Southeast": ["Atlanta", "Tampa", "Charlotte", "Nashville"],
    "Midwest": ["Chicago", "Columbus", "Indianapolis", "Milwaukee", "Detroit", "Minneapolis"],
    "Northeast": ["Boston", "Newark", "Hartford", "Philadelphia"],
    "West": ["Denver", "Sacramento", "Portland", "Seattle", "Salt Lake City"],
    "Central": ["Kansas City", "Omaha", "Tulsa", "Wichita"],
}

FIRST = ("Maria Raj Olusegun Wei Aisha Carlos Priya Tomasz Keiko Dmitri Fatima Liam Ngozi Sofia Hiroshi Amara "
         "Diego Mei Kwame Elena Arjun Chloe Mateo Yusuf Ingrid Thabo Lucia Sanjay Grace Will Hope Mark Faith "
         "Bill Rose Jan Dana Chen Anh Bongani Svetlana Omar Leilani Rafael Zainab Henrik Ayodele Camila").split()
LAST = ("Garcia Patel Adeyemi Zhang Khan Rodriguez Sharma Kowalski Tanaka Volkov Haddad Murphy Okafor Rossi "
        "Nakamura Mensah Lopez Chen Boateng Petrova Iyer Dubois Hernandez Yilmaz Larsen Nkosi Fernandez Gupta "
        "Whitfield Brooks Reyes Novak Nguyen Dlamini Kaur Silva Moreau Abara Castillo Lindqvist").split()


@dataclass(frozen=True)
class Theme:
    key: str
    subjects: tuple[str, ...]
    problems: tuple[str, ...]
    region: str | None = None  # only raised in this region
    weight: float = 1.0
    surge: float = 1.0  # rate multiplier from SURGE_FROM on
    starts: date = START  # not raised before this date


def _t(key: str, subjects: str, problems: str, **kw) -> Theme:
    return Theme(key, tuple(s.strip() for s in subjects.split("|")), tuple(p.strip() for p in problems.split("|")), **kw)


THEMES: tuple[Theme, ...] = (
    _t("crm_logout", "the new CRM|the CRM app|our new customer system|the Salesforce rollout|the CRM on the iPad",
       "logs us out in the middle of a visit|keeps kicking reps out mid-call and we lose our notes|"
       "times out before we can save the call report|drops the session every twenty minutes|"
       "forces a re-login after every office visit|signs people out while they are entering orders",
       surge=1.0, starts=date(2026, 8, 1), weight=4.0),
    _t("telehealth", "patients|a lot of our older patients|families in the clinic|caregivers|people calling the branch",
       "keep asking whether they can do follow-ups by video|want virtual visits instead of driving in|"
       "are asking for telehealth appointments we do not offer|would rather see the nurse over video|"
       "ask if the portal supports video calls yet|want a remote option for routine check-ins",
       surge=5.0, weight=0.6),
    _t("prior_auth_spanish", "the prior-auth forms|prior authorization paperwork|the PA request forms|the insurance approval forms",
       "are only in English and our Spanish-speaking patients cannot fill them in|"
       "still are not available in Spanish|need a Spanish version for half the families we see|"
       "confuse Spanish-speaking patients because there is no translation|"
       "come back incomplete because nobody translated them into Spanish", region="Southwest", weight=1.3),
    _t("prior_auth_slow", "prior authorization approvals|PA turnaround|insurance pre-approvals|the prior-auth queue",
       "take two weeks and physicians are giving up on the therapy|are so slow that doctors switch to a competitor|"
       "hold up treatment starts for days|keep physicians asking us to chase insurers|"
       "are the number one complaint from office managers|stall because nobody knows who owns the follow-up"),
    _t("samples", "sample inventory|our product samples|the starter kits|the sample shipments",
       "run out halfway through the month|never arrive in the quantities we ordered|"
       "are gone before we can visit the smaller practices|get stuck at the distribution center|"
       "are rationed so tightly that physicians stop asking|show up expired or close to expiry"),
    _t("expenses", "expense reimbursements|mileage claims|our travel expense reports|the expense tool",
       "take six weeks to get paid out|get rejected for missing receipts we did upload|"
       "leave reps carrying hundreds of dollars on personal cards|are stuck in approval for months|"
       "reject mileage because the map tool miscalculates|need three approvals for a forty dollar lunch"),
    _t("territory", "the territory|my route|the new territory alignment|the district map",
       "is so large that half the day is spent driving|means four hours in the car for two visits|"
       "splits accounts between reps who never talk|leaves rural practices without any coverage|"
       "was redrawn without asking anyone in the field|puts the best accounts two hours away"),
    _t("offline_app", "the tablet app|the field app|the mobile ordering app|the visit app",
       "does not work offline in rural clinics with no signal|loses everything when the connection drops|"
       "cannot sync in basements and hospital wards with no coverage|needs a signal just to open a customer record|"
       "freezes whenever we are out of wifi range|will not let us record a visit without internet"),
    _t("training", "training on the new products|product training|the onboarding program|clinical training for the new launch",
       "came too late, after physicians already had questions|is a slide deck nobody can learn from|"
       "does not cover the questions doctors actually ask|is only offered at headquarters|"
       "skips the reimbursement side that customers care about|leaves new hires guessing for months"),
    _t("copay", "the copay for the new therapy|patient out-of-pocket costs|copay card enrollment|the cost of refills",
       "is too high and patients abandon prescriptions at the pharmacy|scares patients off before the first fill|"
       "is so confusing that patients give up|keeps coming up as the reason people stop treatment|"
       "gets rejected at the counter and nobody can explain why|means patients split pills to make them last"),
    _t("competitor", "a competitor|the other company|their rep|a rival manufacturer",
       "is offering deep discounts to our biggest accounts|is giving practices free staff lunches and rebates every week|"
       "undercuts our contract price by fifteen percent|is poaching accounts with bundled pricing|"
       "promised same-day delivery and customers are switching|brings free equipment to every practice we lose"),
    _t("staffing", "the branch|our front desk|the clinic team|the night shift",
       "is short three people and everyone is on overtime|has been understaffed since spring and people are burning out|"
       "cannot cover lunch breaks because of open positions|loses good people to hospitals paying more|"
       "runs on temps who do not know the systems|has two open roles nobody is interviewing for"),
    _t("scheduling_tool", "the shift scheduling tool|the rota system|the new scheduling software|the timekeeping app",
       "double-books people and nobody notices until the shift starts|publishes the schedule only two days ahead|"
       "does not let us swap shifts with each other|crashes every Sunday night when the rota goes out|"
       "shows different hours on the phone and the desktop|makes managers re-enter every shift by hand"),
    _t("parking", "parking at the clinic|the patient parking lot|access to the entrance|the parking garage",
       "is so limited that patients miss appointments|fills up by eight and elderly patients walk blocks|"
       "has no accessible spaces near the door|is under construction with no signs for patients|"
       "costs patients twenty dollars a visit|makes wheelchair users wait outside"),
    _t("hurricane", "the hurricane season|storm closures|last month's hurricane|the tropical storm warnings",
       "closed the branch for days with no plan for customers|left us without generators or backup power|"
       "meant nobody told staff whether to come in|showed we have no way to reach customers when the office is shut|"
       "left inventory flooded and no one knew who to call|leave the coastal offices guessing every time",
       region="Southeast", weight=1.2),
    _t("winter_roads", "winter roads|the snow|icy highways|the lake-effect storms",
       "make the rural accounts unreachable for weeks|cancel half our visits from December to March|"
       "are dangerous and reps are told to drive anyway|leave us no policy on when to stay home|"
       "mean we miss quarterly targets set for summer conditions|keep reps stuck in motels between visits",
       region="Midwest", weight=1.2),
    _t("formulary", "formulary changes|the insurer formulary update|the new tier placement|the payer coverage changes",
       "confuse physicians who keep prescribing drugs that are no longer covered|came with no notice to the field|"
       "moved our product to a higher tier and scripts dropped|are impossible to explain without a coverage chart|"
       "leave pharmacists rejecting prescriptions|differ by plan and nobody gives us the list"),
    _t("materials", "our brochures|the patient leaflets|the marketing materials|the visit aids",
       "are out of date and still show last year's dosing|have the wrong phone number on them|"
       "are too technical for patients to understand|are not approved for the new indication yet|"
       "run out and the reorder takes a month|do not exist in large print for older patients"),
    _t("career", "career paths for frontline staff|promotion opportunities|growth for people in the field|development plans",
       "do not exist, so good people leave after two years|are invisible and nobody knows how to move up|"
       "favour headquarters roles over the field|depend on relocating, which most of us cannot do|"
       "stopped when the mentoring budget was cut|have no clear criteria at all"),
    _t("laptops", "our laptops|the company computers|the old ThinkPads|field hardware",
       "take fifteen minutes to boot and freeze in front of customers|are five years old and cannot run the new software|"
       "overheat during presentations|have batteries that die before lunch|"
       "need a VPN that takes forever to connect|are replaced only when they completely break"),
    _t("hold_times", "the customer support line|hold times on the help desk|the call center|the order hotline",
       "keeps physicians' offices on hold for forty minutes|never calls customers back|"
       "transfers people four times before anyone helps|closes at five when clinics are busiest|"
       "gives different answers every time someone calls|drops calls after long waits"),
    _t("interpreters", "interpreter services|language support|translation for appointments|the interpreter line",
       "take too long to connect so patients leave|do not cover Vietnamese or Haitian Creole|"
       "are booked out for days|make families bring children to translate|"
       "cost the clinic money it does not have|are missing for sign language entirely"),
    _t("safety", "safety in the parking lot|security after dark|the late shift walk to the car|staff safety at night",
       "worries staff after two break-ins this quarter|is a concern because the lights are out|"
       "has no security guard after eight|makes people afraid to close alone|"
       "came up again after someone was followed to their car|needs cameras that actually work"),
    _t("deliveries", "supply deliveries|orders from the warehouse|the distributor shipments|replenishment orders",
       "arrive late and customers cancel|come with the wrong items half the time|"
       "have no tracking so we cannot tell customers anything|get split into five partial shipments|"
       "miss the promised date by a week|are cut off by a new minimum order size"),
)

# Frames: how a frontline issue is said. `{S}`/`{P}` are a subject and a problem.
FRAMES = (
    "{S} {P}.", "{Pn} says {s} {p}.", "Big concern: {s} {p}.", "Heard again that {s} {p}.",
    "In {office}, {s} {p}.", "{S} {p}, and it is getting worse.", "Raised that {s} {p}.",
    "The team feels {s} {p}.", "Customers told {pfirst} that {s} {p}.", "One ask: fix the fact that {s} {p}.",
    "Honestly {s} {p}.", "{pfirst} pointed out {s} {p}.", "Frustration that {s} {p}.",
    "Reality check from the field: {s} {p}.", "According to {pn}, {s} {p} in {office}.",
)
HOLDOUT_FRAMES = {"Honestly {s} {p}.", "{pfirst} pointed out {s} {p}.", "Frustration that {s} {p}.",
                  "Reality check from the field: {s} {p}.", "According to {pn}, {s} {p} in {office}."}

SMALL_TALK = (
    "We talked about {pfirst}'s kids and the soccer season.", "Caught up on weekend plans first.",
    "Great conversation overall.", "{efirst} shared a story about their first job out of school.",
    "Started with coffee and catching up.", "Thanks for the time today!", "Lots of laughs about the office fantasy league.",
    "{pfirst} just got back from vacation in Lisbon.", "We compared notes on favourite hiking trails.",
    "{efirst} asked how the family is doing.", "Nice to finally meet in person.", "We chatted about the marathon {pfirst} is training for.",
    "Quick intro round since it was our first session.", "Really enjoying these conversations.",
    "{pfirst} congratulated {efirst} on the award.", "Talked a bit about books we are reading.",
)
LOGISTICS = (
    "Next session is {next}.", "Met for 30 minutes over Teams.", "Rescheduled from Tuesday because of travel.",
    "Follow up with {pn} at {email} or {phone}.", "Agenda was sent ahead of time.", "Meeting ID {mid}.",
    "{efirst} will send the slides afterwards.", "Moved to the small conference room.", "Call back number is {phone}.",
    "Session ran 45 minutes.", "Booked the next three dates in the calendar.", "{pfirst}'s email for the recap: {email}.",
    "Joined late because of traffic.", "Notes taken by {efirst}.", "Reminder to submit the program survey.",
)

ABBREV = {"patients": "pts", "physicians": "docs", "because": "b/c", "with": "w/", "without": "w/o",
          "customers": "custs", "and": "&", "approximately": "approx", "minutes": "mins", "weeks": "wks",
          "information": "info", "management": "mgmt", "about": "abt"}


def _split_holdout(items: tuple[str, ...]) -> set[str]:
    # The last third of each list is held out (at least one item).
    k = max(1, len(items) // 3)
    return set(items[-k:])


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def _email(first: str, last: str, rng: random.Random) -> str:
    domain = rng.choice(["acmehealth.com", "acme-field.com", "gmail.com", "outlook.com"])
    return f"{first.lower()}.{last.lower()}@{domain}"


def _phone(rng: random.Random) -> str:
    a, b, c = rng.randrange(200, 990), rng.randrange(200, 999), rng.randrange(1000, 9999)
    return rng.choice([f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}"])


def _weight_on(theme: Theme, region: str, day: date) -> float:
    if theme.region and theme.region != region:
        return 0.0
    if day < theme.starts:
        return 0.0
    return theme.weight * (theme.surge if day >= SURGE_FROM else 1.0)


@dataclass
class _People:
    partners: dict[str, list[tuple[str, str]]]  # office -> [(first, last)]
    executives: list[tuple[str, str]]


def _people(rng: random.Random) -> _People:
    used: set[tuple[str, str]] = set()

    def name() -> tuple[str, str]:
        while True:
            n = (rng.choice(FIRST), rng.choice(LAST))
            if n not in used:
                used.add(n)
                return n

    partners = {office: [name() for _ in range(rng.randint(5, 8))] for offices in REGIONS.values() for office in offices}
    return _People(partners, [name() for _ in range(14)])


def generate(n_notes: int = 3200, seed: int = 7) -> tuple[list[dict], list[dict]]:
    """Returns (export rows, ground truth records), both in note order."""
    rng = random.Random(seed)
    people = _people(rng)
    offices = [(r, o) for r, os_ in REGIONS.items() for o in os_]
    span = (END - START).days
    rows, truth = [], []
    holdout_problems = {t.key: _split_holdout(t.problems) for t in THEMES}
    for i in range(n_notes):
        region, office = rng.choice(offices)
        # Slightly more meetings later in the program, as it grows.
        day = START + timedelta(days=int(span * (rng.random() ** 0.85)))
        pf, pl = rng.choice(people.partners[office])
        ef, el = rng.choice(people.executives)
        style = rng.choices(["prose", "bullets", "numbered", "semicolons", "shorthand"], [40, 20, 12, 10, 18])[0]
        ctx = dict(pfirst=pf, pn=f"{pf} {pl}", Pn=f"{pf} {pl}", efirst=ef, office=office,
                   email=_email(pf, pl, rng), phone=_phone(rng), mid=f"{rng.randrange(10000, 99999)}-{rng.randrange(1000, 9999)}",
                   next=(day + timedelta(days=14)).strftime("%B %d"))
        planted = {"names": [f"{pf} {pl}", pf, ef], "emails": [], "phones": []}
        sentences: list[dict] = []
        # 0-4 issues, most notes 1-3.
        n_issues = rng.choices([0, 1, 2, 3, 4], [8, 30, 32, 20, 10])[0]
        weights = [_weight_on(t, region, day) for t in THEMES]
        chosen: list[Theme] = []
        for _ in range(n_issues):
            t = rng.choices(THEMES, weights)[0]
            if t not in chosen:
                chosen.append(t)
        for t in chosen:
            subj, prob = rng.choice(t.subjects), rng.choice(t.problems)
            frame = rng.choice(FRAMES)
            text = frame.format(S=subj[0].upper() + subj[1:], s=subj, P=prob, p=prob, **ctx)
            split = "holdout" if (prob in holdout_problems[t.key] or frame in HOLDOUT_FRAMES) else "dev"
            sentences.append(dict(kind="issue", theme=t.key, text=text, split=split))
        for kind, pool, k in (("smalltalk", SMALL_TALK, rng.randint(1, 3)), ("logistics", LOGISTICS, rng.randint(1, 3))):
            for frame in rng.sample(pool, k):
                sentences.append(dict(kind=kind, theme=None, text=frame.format(**ctx),
                                      split="holdout" if frame in pool[-5:] else "dev"))
        # Small talk tends to open a note and logistics to close it; issues sit in between.
        order = {"smalltalk": 0, "issue": 1, "logistics": 2}
        sentences.sort(key=lambda s: (order[s["kind"]], rng.random()))
        if rng.random() < 0.25:
            rng.shuffle(sentences)
        typos = rng.random() < 0.3
        for s in sentences:
            if "{email}" in s["text"] or ctx["email"] in s["text"]:
                planted["emails"].append(ctx["email"])
            if ctx["phone"] in s["text"]:
                planted["phones"].append(ctx["phone"])
            if style == "shorthand":
                words = [ABBREV.get(w, w) for w in s["text"].split()]
                s["text"] = " ".join(words).rstrip(".")
                s["text"] = s["text"][0].lower() + s["text"][1:] if s["kind"] != "issue" or rng.random() < 0.5 else s["text"]
            if typos and s["kind"] == "issue" and rng.random() < 0.4:
                words = s["text"].split()
                j = rng.randrange(len(words))
                words[j] = _typo(words[j], rng)
                s["text"] = " ".join(words)
        text, spans = _render(sentences, style, rng)
        while len(text.split()) < 30:
            extra = dict(kind="smalltalk", theme=None, text=rng.choice(SMALL_TALK).format(**ctx), split="dev")
            sentences.insert(0, extra)
            text, spans = _render(sentences, style, rng)
        for s, (a, b) in zip(sentences, spans):
            s["start"], s["end"] = a, b
        note_id = f"RM-{i + 1:05d}"
        rows.append({
            "Session ID": note_id, "Meeting Date": day.strftime("%m/%d/%Y"), "Region": region, "Office": office,
            "Frontline Partner": f"{pf} {pl}", "Executive": f"{ef} {el}", "Meeting Notes": text,
        })
        planted["names"].append(f"{ef} {el}")
        truth.append({"note_id": note_id, "region": region, "office": office, "meeting_date": day.isoformat(),
                      "style": style, "sentences": sentences, "planted": planted})
    return rows, truth


def _render(sentences: list[dict], style: str, rng: random.Random) -> tuple[str, list[tuple[int, int]]]:
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    bullet = rng.choice(["- ", "* ", "• "])
    for n, s in enumerate(sentences, 1):
        if style == "bullets":
            prefix, sep = bullet, "\n"
        elif style == "numbered":
            prefix, sep = rng.choice([f"{n}. ", f"{n}) "]), "\n"
        elif style == "semicolons":
            prefix, sep = "", "; "
        elif style == "shorthand":
            prefix, sep = "", rng.choice([". ", " / ", "\n"])
        else:
            prefix, sep = "", " "
        body = s["text"].rstrip(".") if style == "semicolons" else s["text"]
        if n > 1:
            parts.append(sep)
            pos += len(sep)
        parts.append(prefix)
        pos += len(prefix)
        spans.append((pos, pos + len(body)))
        parts.append(body)
        pos += len(body)
    return "".join(parts), spans


def write(folder: Path, n_notes: int = 3200, seed: int = 7, name: str = "sample_notes") -> tuple[Path, Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows, truth = generate(n_notes, seed)
    export = folder / f"{name}.csv"
    with export.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    truth_path = folder / f"{name}.truth.jsonl"
    with truth_path.open("w", encoding="utf-8") as fh:
        for rec in truth:
            fh.write(json.dumps(rec) + "\n")
    return export, truth_path


def load_truth(path: Path) -> list[dict]:
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]
