"""A seeded, deterministic reverse-mentoring program: notes plus their ground truth.

Every issue is said in at least 15 whole sentences written independently of each other (short
and long, plain and reported, some only in passing), and some sentences carry two issues.
Notes come from 14 executives who each write in their own way: layout, shorthand, typos, lower
case. Filler that looks like an issue ("[PERSON] raised a few things.", "we don't.") sits beside
small talk and logistics. The last third of every pool (phrasings, two-issue sentences, filler,
small talk, logistics) is *held out*: sentences from it are marked `split="holdout"` in the
ground truth, and synth's rules and tuning must not be developed on them. The ground truth
(which span of which note is which theme, `themes` where a sentence has two, and which people
and contact details were planted) is written beside the export, never into it.
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
    phrasings: tuple[str, ...]  # whole sentences, each written on its own
    region: str | None = None  # only raised in this region
    weight: float = 1.0
    surge: float = 1.0  # rate multiplier from SURGE_FROM on
    starts: date = START  # not raised before this date


def _t(key: str, phrasings: str, **kw) -> Theme:
    return Theme(key, tuple(line.strip() for line in phrasings.strip().splitlines() if line.strip()), **kw)


# Each theme is said in many independent ways: different vocabulary, length, opening and
# register, some in passing. `{pfirst}`, `{pn}`, `{efirst}` and `{office}` are filled per note.
THEMES: tuple[Theme, ...] = (
    _t("crm_logout", """
        The new CRM logs us out in the middle of a visit.
        Salesforce kicked {pfirst} out three times during one call and the notes were gone.
        crm times out before you can save the call report
        Every time I walk into an office the customer system wants my password again.
        Reps are re-typing visit notes because the session expires while they talk to the doctor.
        {pfirst} has started writing call notes on paper since the iPad app keeps signing her out.
        Getting booted out of the CRM mid-order is the number one gripe in {office} right now.
        The rollout of the new customer platform broke logins: twenty minutes and you are out.
        Half my orders this week were lost when the CRM forced a re-login.
        Nobody trusts the new CRM to hold a half-finished record.
        sf app session drops constantly, lose everything
        Since the August switch the CRM asks for two-factor codes in front of customers, then logs out anyway.
        We spoke mostly about her team, but she did say the CRM signing people out is driving everyone mad.
        Can IT make the CRM stop expiring sessions during visits?
        The login timeout on the new CRM is way too short for a real sales call.
        Lost a full call report to an auto-logout again, {pfirst} said, and she is not the only one.
        """, starts=date(2026, 8, 1), weight=4.0),
    _t("telehealth", """
        Patients keep asking whether they can do follow-ups by video.
        Older patients would rather talk to the nurse on a screen than drive forty miles.
        Families want virtual visits and we have nothing to offer them.
        {pfirst} gets asked about telehealth at least five times a day at the front desk.
        is there a plan for video appointments? patients ask constantly
        Caregivers want a remote option for routine check-ins.
        A lot of callers hang up when they hear there is no video consult.
        We lose patients to clinics that offer online appointments.
        Requests for phone or video follow-ups have doubled since summer.
        The portal still can't do video calls, which is what people ask for.
        Rural patients asked {pfirst} why they must come in just to renew a prescription.
        Telemedicine came up again: people want it, we don't do it.
        Chatting about her garden, she added that patients keep begging for virtual follow-ups.
        Could we at least pilot video visits for stable chronic patients?
        Our front desk spends hours explaining that we don't offer telehealth.
        People in {office} want to see the doctor over Zoom rather than sit in the waiting room.
        """, surge=5.0, weight=0.6),
    _t("prior_auth_spanish", """
        The prior-auth forms are only in English and our Spanish-speaking patients cannot fill them in.
        PA paperwork still isn't available in Spanish.
        Half the families we see need a Spanish version of the insurance approval forms.
        {pfirst} spends her lunch translating prior authorization forms for patients.
        no spanish PA forms, pts leave them blank
        Spanish-speaking patients bring the approval forms back incomplete because nobody translated them.
        We need the prior authorization packet in Spanish, yesterday.
        The insurer's forms are English only, so staff translate on the fly and make mistakes.
        Patients who only read Spanish sign PA forms they don't understand.
        Why is there still no Spanish translation of the pre-approval paperwork?
        The clinic in {office} runs on bilingual staff filling in English forms for patients.
        Authorization forms in English only means treatment starts get delayed for Hispanic families.
        Mentioned in passing: the Spanish PA forms promised last year never arrived.
        Bilingual prior-auth packets would save the front desk hours every week.
        Forms for insurance approval confuse our Spanish speakers, there is no translation at all.
        """, region="Southwest", weight=1.3),
    _t("prior_auth_slow", """
        Prior authorization approvals take two weeks and physicians give up on the therapy.
        PA turnaround is so slow that doctors switch to a competitor product.
        insurance pre-approvals hold up treatment starts for days
        Office managers call us every week to chase insurers on prior auths.
        The prior-auth queue is the top complaint from practices in {office}.
        {pfirst} says nobody knows who owns the follow-up when a PA stalls.
        Doctors told us they stopped prescribing because getting the approval takes forever.
        Patients wait a fortnight for the insurer to approve what the doctor already decided.
        prior auths: 10-14 days, scripts abandoned
        It can take three rounds of paperwork before an authorization goes through.
        We have no visibility on where an approval request is stuck.
        The hub that was supposed to speed up approvals just adds another step.
        Physicians are tired of faxing the same PA form twice.
        One practice manager showed {pfirst} a stack of forty pending authorizations.
        Slow approvals mean patients start treatment weeks late.
        """),
    _t("samples", """
        Sample inventory runs out halfway through the month.
        Our product samples never arrive in the quantities we ordered.
        {pfirst} has no starter kits left by the second week.
        The smaller practices never see samples because they're gone before we get there.
        sample shipments stuck at the DC again
        Samples are rationed so tightly that physicians stopped asking for them.
        Two boxes of samples showed up expired.
        We're told to promote the new dose but there are no samples of it.
        The allocation of samples ignores how many accounts each rep covers.
        Doctors ask for samples and we have to say maybe next month.
        It takes three weeks to replenish samples after we run dry.
        Starter packs arrive a month before expiry, so practices won't take them.
        She was mostly upbeat, but the sample shortage came up when we talked about her biggest account.
        No samples = no trial = no script.
        Could the sample cap be raised for reps with rural accounts?
        """),
    _t("expenses", """
        Expense reimbursements take six weeks to get paid out.
        My mileage claim got rejected for missing receipts that I did upload.
        Reps are carrying hundreds of dollars on personal cards while reports sit in approval.
        {pfirst} is still waiting on expenses from March.
        The expense tool needs three approvals for a forty dollar lunch.
        mileage calc in the exp tool is wrong, every claim gets kicked back
        Getting reimbursed is slower than getting paid by our slowest customer.
        The receipt upload fails on the phone so people retype everything at night.
        Why does a parking receipt need a VP signature?
        People have stopped claiming small amounts because it isn't worth the fight.
        The travel expense reports get bounced for the wrong cost centre code.
        Late reimbursements hit new reps hardest, they can't float the money.
        Expenses came up while we talked about her kids' school fees: she is out of pocket by almost a thousand.
        The expense policy changed and nobody told the field what the new limits are.
        Finance rejects claims without saying what is wrong with them.
        """),
    _t("territory", """
        The territory is so large that half the day is spent driving.
        Four hours in the car for two visits is normal on my route now.
        The new alignment splits accounts between reps who never talk to each other.
        Rural practices have had no coverage since the district map was redrawn.
        {pfirst} was not asked before they redrew her territory.
        The best accounts in my patch are two hours away.
        terr realignment = more driving, fewer calls
        Nobody in the field was consulted on the new district boundaries.
        I drive past three of my colleague's accounts to reach mine.
        The map was drawn by headquarters from zip codes, not from where doctors actually are.
        Half our call targets are impossible with the distance involved.
        Two reps now cover the same hospital and neither owns it.
        The {office} group lost its biggest accounts to a neighbouring territory.
        Could territories be drawn around drive time rather than account counts?
        When we got onto road trips she joked that her territory is one long road trip.
        """),
    _t("offline_app", """
        The tablet app doesn't work offline in rural clinics with no signal.
        Lose the connection and the field app loses everything you typed.
        {pfirst} can't sync visits from hospital basements.
        You need a signal just to open a customer record, which is useless in half my accounts.
        ordering app freezes out of wifi range
        The visit app won't let us record anything without internet.
        Reps in the hills write orders on paper and re-enter them at the motel.
        An offline mode for the app would save an hour a day.
        When coverage drops mid-order the app throws away the whole order.
        We keep losing data because the app has no offline cache.
        The mobile app assumes everyone has 5G; half of {office}'s accounts have none.
        Sync errors after a day without signal wipe the visit log.
        Hospital wards block mobile signal and the app just spins.
        She mentioned, between stories about her trip, that the field app is unusable out in the country.
        Why can't the app queue orders and send them later?
        """),
    _t("training", """
        Product training came too late, after physicians were already asking questions.
        The training for the launch is a slide deck nobody can learn from.
        Our clinical training doesn't cover the questions doctors actually ask.
        Onboarding is only offered at headquarters and most of us can't travel there.
        {pfirst} learned the new product from a customer, not from us.
        The training skips reimbursement, which is all the customers care about.
        new hires are guessing for months, onboarding is thin
        We got a 40-page PDF instead of real training.
        Nobody trained us on the device before it shipped.
        I'd like hands-on training with the product, not e-learning modules.
        Reps in {office} failed the certification because the course was out of date.
        Half the training hours are compliance videos with nothing about the product.
        People want refreshers, the one-off launch training is forgotten in weeks.
        After the small talk about her commute, she said the launch training left everyone unprepared.
        Trainers can't answer field questions, they read from the script.
        """),
    _t("copay", """
        The copay for the new therapy is too high and patients abandon prescriptions at the pharmacy.
        Patients walk away at the counter when they hear the out-of-pocket cost.
        {pfirst} says cost is the main reason people stop treatment.
        copay card enrollment is so confusing that pts give up
        The copay card gets rejected at the pharmacy and no one can tell why.
        Some patients split pills to make the refills last.
        A hundred dollars a month is more than most of our patients can pay.
        Pharmacists tell us people leave the script behind once they see the price.
        The savings program paperwork takes longer than the visit.
        Patients on Medicare can't use the copay card and nobody explains that upfront.
        Out-of-pocket costs scare patients off before the first fill.
        We need a simpler way to get patients the discount they qualify for.
        Cost of refills keeps coming up at every practice in {office}.
        Talking about her mother's prescriptions, she added that our copay is pushing patients to quit.
        Abandoned scripts because of price are rising, according to the pharmacies.
        """),
    _t("competitor", """
        A competitor is offering deep discounts to our biggest accounts.
        The other company gives practices free staff lunches and rebates every week.
        Their rep undercuts our contract price by fifteen percent.
        {pfirst} lost two accounts to a rival's bundled pricing this quarter.
        competitor promised same-day delivery, custs switching
        They bring free equipment to every practice we lose.
        We can't match what the other manufacturer offers on price.
        Doctors tell us the competition just makes ordering easier.
        A rival rep sits in the {office} hospital lobby every morning.
        Our pricing is not competitive and the field has no room to negotiate.
        The other firm's loyalty rebates lock practices in for a year.
        Customers are leaving for the competitor's new formulation.
        We hear about competitor offers from customers, never from marketing.
        She brought it up almost as an aside: the rival firm is taking her accounts one by one.
        Could we get some flexibility on price to keep our key accounts?
        """),
    _t("staffing", """
        The branch is short three people and everyone is on overtime.
        Our front desk has been understaffed since spring and people are burning out.
        We can't cover lunch breaks because of open positions.
        {pfirst} says the clinic loses good people to hospitals paying more.
        the night shift runs on temps who don't know the systems
        Two roles have been open since January and nobody is interviewing.
        People are working doubles to keep the doors open.
        Sick calls mean one person runs the whole counter.
        Staff in {office} are exhausted and two resigned last month.
        Hiring freezes left the team at half strength.
        We need more hands on the floor, the workload is not sustainable.
        Agency staff cost more and stay a week.
        Nobody can take vacation because there is no cover.
        Halfway through talking about her vacation plans she admitted she can't take it, there is no one to cover.
        Vacancies sit open for months because HR takes forever to post them.
        """),
    _t("scheduling_tool", """
        The shift scheduling tool double-books people and nobody notices until the shift starts.
        The rota is published only two days ahead.
        We can't swap shifts with each other in the new scheduling software.
        The timekeeping app crashes every Sunday night when the rota goes out.
        {pfirst}'s hours show differently on the phone and the desktop.
        managers re-enter every shift by hand in the new rota system
        The scheduling system ignores people's availability.
        Two nurses turned up for the same slot because the tool double-booked them.
        People can't plan childcare when the schedule comes out so late.
        The roster software has no way to request time off.
        Every schedule change needs an email to the manager because the tool won't do it.
        Clock-ins go missing in the timekeeping app and pay comes out short.
        Can we get the rota at least two weeks in advance?
        She mentioned while we were laughing about her commute that the rota app double-booked her twice this month.
        Swapping a shift takes three phone calls.
        """),
    _t("parking", """
        Parking at the clinic is so limited that patients miss appointments.
        The patient lot fills up by eight and elderly patients walk blocks.
        There are no accessible spaces near the door.
        {pfirst} sees wheelchair users waiting outside because they can't get to the entrance.
        parking garage under construction, no signs for pts
        Patients pay twenty dollars a visit to park.
        People circle the lot for twenty minutes and arrive late.
        The disabled bays are always taken by delivery vans.
        We lose appointments every week because there's nowhere to park.
        Patients get ticketed in the street outside the clinic.
        The drop-off point is a hundred metres from the door, in the rain.
        Staff park in patient spaces because the staff lot was sold.
        Validation for parking would make a big difference for our patients.
        In between stories about her puppy, she said the car park is a daily nightmare for patients.
        The {office} clinic shares its lot with a gym, and patients can never find a space.
        """),
    _t("hurricane", """
        The hurricane closed the branch for days and there was no plan for customers.
        We had no generators or backup power during the storm.
        Nobody told staff whether to come in during the storm closures.
        We have no way to reach customers when the office is shut for weather.
        {pfirst} says inventory flooded and nobody knew who to call.
        coastal offices guessing every time a tropical storm warning goes out
        The storm plan is a binder nobody has read.
        When the power went out the fridges failed and we lost the vaccines.
        Staff with flooded homes were still expected at work the next day.
        There's no phone tree for hurricane closures.
        The {office} branch was shut a week and customers heard nothing from us.
        After the last storm it took three days to find out who was safe.
        We need a hurricane plan that someone actually practises.
        Between stories about the beach she mentioned the branch still has no backup generator.
        Customers had to drive two counties over because we never said where to get their medication.
        """, region="Southeast", weight=1.2),
    _t("winter_roads", """
        Winter roads make the rural accounts unreachable for weeks.
        The snow cancels half our visits from December to March.
        Icy highways are dangerous and reps are told to drive anyway.
        We have no policy on when to stay home in a storm.
        {pfirst} spent two nights in a motel because the highway closed.
        lake-effect snow, visits cancelled, targets don't change
        Quarterly targets assume summer driving conditions.
        Reps have slid off the road and nobody from management asked how they were.
        The fleet cars don't have winter tyres.
        Managers push for visits even on days the state says stay off the roads.
        We lose a month of calls every winter and it's held against us.
        Can we get a clear rule on driving in a blizzard?
        Nobody pays for the motel when you get stuck between accounts.
        While we talked about ice fishing he said the winter driving is genuinely scary.
        Snowstorms in {office} shut the roads, but the call plan doesn't budge.
        """, region="Midwest", weight=1.2),
    _t("formulary", """
        Formulary changes confuse physicians who keep prescribing drugs that are no longer covered.
        The insurer's formulary update came with no notice to the field.
        The new tier placement pushed our product up and scripts dropped.
        It's impossible to explain coverage without a chart, and we don't have one.
        {pfirst} hears from pharmacists rejecting prescriptions after the formulary change.
        coverage differs by plan & nobody gives us the list
        Doctors find out about coverage changes when the pharmacy calls them.
        We were moved to tier three and nobody warned us.
        The payer coverage rules changed mid-quarter.
        Practices want a one-page summary of which plans cover what.
        Patients turn up at the pharmacy to find their drug isn't covered any more.
        Formulary letters arrive after the change has already taken effect.
        Each plan has its own step therapy rules and we can't keep up.
        She mentioned, when we were talking about her old job, that the formulary shake-up is the main thing doctors ask about.
        Market access never tells the reps in {office} about coverage changes.
        """),
    _t("materials", """
        Our brochures are out of date and still show last year's dosing.
        The patient leaflets have the wrong phone number on them.
        Marketing materials are too technical for patients to understand.
        The visit aids aren't approved for the new indication yet.
        {pfirst} ran out of leaflets and the reorder takes a month.
        no large print materials for older pts
        The patient booklet is only in English.
        We're handing out brochures with a discontinued strength on the cover.
        Doctors want something simple to give patients, what we have is a legal document.
        Nobody can tell us when the new detail aid will be ready.
        The printed guide contradicts the website.
        Half the leaflets in the {office} office are for a product we no longer sell.
        I'd like materials written at a reading level patients can manage.
        We were talking about her reading club when she said the brochures are embarrassingly out of date.
        Ordering materials takes a form, an approval and four weeks.
        """),
    _t("career", """
        There are no career paths for frontline staff, so good people leave after two years.
        Nobody knows how to move up from the field.
        Promotions favour headquarters roles over the field.
        Every promotion seems to depend on relocating, which most of us cannot do.
        {pfirst} asked what the next step is for her and nobody could answer.
        dev plans stopped when the budget was cut
        There are no clear criteria for promotion at all.
        People with ten years in the field are still on the same grade.
        The only way up is management, and not everyone wants to manage.
        Our best reps leave for competitors that offer a real ladder.
        Development conversations happen once a year if you're lucky.
        Field staff never hear about openings at head office until they're filled.
        I'd like a mentoring track for people who want to grow without moving.
        We were chatting about her son starting college when she said she sees no future for herself here.
        Training budgets for growth disappeared in {office} two years ago.
        """),
    _t("laptops", """
        Our laptops take fifteen minutes to boot and freeze in front of customers.
        The company computers are five years old and can't run the new software.
        {pfirst}'s ThinkPad overheats during presentations.
        batteries die before lunch on the old laptops
        The VPN takes forever to connect on field hardware.
        Laptops are replaced only when they completely break.
        Presentations stall because the laptop can't handle video.
        IT says the new machines are a year away.
        We use our own computers because the company ones are unusable.
        My laptop crashed twice in one visit.
        Half the team in {office} has cracked screens nobody will repair.
        The hardware refresh was cancelled again.
        Could field staff get lighter laptops that last a full day?
        Somewhere between talking about football and the weather, he said his laptop is basically a brick.
        Updates run during the day and freeze the machine for an hour.
        """),
    _t("hold_times", """
        The customer support line keeps physicians' offices on hold for forty minutes.
        The call center never calls customers back.
        People get transferred four times before anyone helps them.
        The order hotline closes at five, when clinics are busiest.
        {pfirst} hears different answers every time she calls support.
        help desk drops calls after long waits
        Hold music for half an hour and then the line cuts out.
        Offices give up calling and email the rep instead.
        There's no callback option, so nurses sit on hold between patients.
        Our support line has one person on Fridays.
        The hotline's menu has nine options and none of them is the right one.
        Customers in {office} say reaching us by phone is impossible.
        We need a direct line for practices, not the public queue.
        When we talked about her weekend she laughed that she spent it on hold with our own support line.
        Support tickets get closed without anyone calling back.
        """),
    _t("interpreters", """
        Interpreter services take too long to connect, so patients leave.
        Language support doesn't cover Vietnamese or Haitian Creole.
        The interpreter line is booked out for days.
        Families bring their children to translate because we have no interpreter.
        {pfirst} says the clinic can't afford interpreter fees.
        no sign language interpreters at all
        Patients wait an hour for a phone interpreter.
        Translation for appointments has to be booked a week ahead.
        Video interpreters drop out mid-consultation.
        Our interpreter contract covers Spanish only.
        Nurses use a phone translation app because there's nothing else.
        Deaf patients in {office} go without an interpreter.
        We need on-site interpreters at least two days a week.
        She told a funny story about her trip to Hanoi, then mentioned our Vietnamese patients get no interpreter.
        The interpreter line puts people on hold longer than the appointment.
        """),
    _t("safety", """
        Staff are worried after two break-ins this quarter.
        The lights in the parking lot are out.
        There is no security guard after eight.
        People are afraid to close alone.
        Someone was followed to their car after the late shift.
        {pfirst} says the security cameras don't work.
        night staff walk to their cars in the dark
        Nobody escorts the late shift to the car park.
        The panic button at reception has never been tested.
        We had an aggressive visitor and no one came.
        The back door doesn't lock properly.
        Staff in {office} want security at closing time.
        After the robbery nothing changed.
        When we were talking about her new apartment she said she's nervous walking out after close.
        It would help to have a guard on the evening shift.
        """),
    _t("deliveries", """
        Supply deliveries arrive late and customers cancel.
        Orders from the warehouse come with the wrong items half the time.
        There's no tracking on shipments, so we can't tell customers anything.
        Distributor shipments get split into five partial deliveries.
        {pfirst} says replenishment orders miss the promised date by a week.
        new min order size cuts off small accounts
        Customers call us to ask where their order is, and we don't know.
        Deliveries arrive damaged and the returns take a month.
        The warehouse ships to the old address.
        Backorders are not communicated until the delivery day.
        Urgent orders take as long as normal ones.
        The {office} accounts get deliveries once a week at best.
        Could we see delivery status in the ordering app?
        He mentioned on the way out that the distributor sent the wrong items again.
        Couriers leave boxes outside closed clinics.
        """),
)

# One sentence carrying two issues, written as a whole: used when a note raises both themes.
MULTI: tuple[tuple[tuple[str, str], str], ...] = (
    (("samples", "deliveries"), "Samples ran out and the replacement shipment came with the wrong lot, so {pfirst} had nothing for two weeks."),
    (("expenses", "laptops"), "Between the expense tool bouncing her mileage and a laptop that won't boot, she loses an afternoon a week to admin."),
    (("territory", "offline_app"), "Long drives to the rural accounts plus an app that dies without signal means most orders get typed in at night."),
    (("copay", "formulary"), "After the tier change the copay jumped and a lot of patients just stopped filling the script."),
    (("staffing", "scheduling_tool"), "We're two people down and the rota tool still double-books the ones we have."),
    (("training", "materials"), "launch training was thin & the brochures still show the old dosing, reps are improvising"),
    (("prior_auth_slow", "copay"), "Between slow prior auths and the price shock at the counter, half the new starts never happen."),
    (("competitor", "samples"), "The competitor drops off samples every week while ours are gone by the 10th."),
    (("hold_times", "deliveries"), "Customers can't get through to the hotline to ask where their late orders are."),
    (("parking", "safety"), "The staff lot is dark, far from the door and full by eight, so people park on the street and walk back alone at night."),
    (("career", "staffing"), "No way to get promoted plus constant overtime is why the good people leave."),
    (("telehealth", "parking"), "Patients who can't find a parking space ask why they can't just do the follow-up by video."),
    (("crm_logout", "offline_app"), "The CRM logs you out and the field app can't work offline, so visit notes end up nowhere."),
    (("laptops", "training"), "The e-learning for the launch won't even play on our old laptops."),
    (("samples", "competitor"), "Our starter kits are rationed and the other company hands theirs out like candy."),
)

# Sentences that look like they carry an issue, or are about the work, but say nothing to act on.
FILLER = (
    "{pfirst} raised a few things.", "we don't.", "{pfirst} had a couple of concerns.", "Same issues as last time.",
    "A few problems came up, see below.", "{pfirst} brought up the usual.", "No complaints this time.",
    "{pfirst} has been in the role for eleven years.", "She covers the {office} accounts.", "Lots to unpack.",
    "The team hit its numbers last quarter.", "{pfirst} likes the new office layout.", "He agreed with most of it.",
    "We didn't get to everything.", "Went through her list.", "she wasn't sure.", "That's the main one.",
    "Nothing new since last month.", "Not much else.", "{pfirst} thinks the team is in a good place overall.",
)
SMALL_TALK = (
    "We talked about {pfirst}'s kids and the soccer season.", "Caught up on weekend plans first.",
    "Great conversation overall.", "{efirst} shared a story about their first job out of school.",
    "Started with coffee and catching up.", "Thanks for the time today!", "Lots of laughs about the office fantasy league.",
    "{pfirst} just got back from vacation in Lisbon.", "We compared notes on favourite hiking trails.",
    "{efirst} asked how the family is doing.", "Nice to finally meet in person.",
    "We chatted about the marathon {pfirst} is training for.", "Quick intro round since it was our first session.",
    "Really enjoying these conversations.", "{pfirst} congratulated {efirst} on the award.",
    "Talked a bit about books we are reading.", "{pfirst}'s daughter starts college in the fall.",
    "We both turned out to be terrible golfers.", "{pfirst} grew up an hour from {office}.",
    "Swapped recipes, apparently {efirst} makes a mean chili.", "{pfirst} is getting married in June!",
    "His dog is recovering from surgery.", "We talked music for a while.", "Good to see you again, {pfirst}.",
)
LOGISTICS = (
    "Next session is {next}.", "Met for 30 minutes over Teams.", "Rescheduled from Tuesday because of travel.",
    "Follow up with {pn} at {email} or {phone}.", "Agenda was sent ahead of time.", "Meeting ID {mid}.",
    "{efirst} will send the slides afterwards.", "Moved to the small conference room.", "Call back number is {phone}.",
    "Session ran 45 minutes.", "Booked the next three dates in the calendar.", "{pfirst}'s email for the recap: {email}.",
    "Joined late because of traffic.", "Notes taken by {efirst}.", "Reminder to submit the program survey.",
    "Pushed our next call to Thursday at 2pm.", "Calendar invite sent for {next}.", "{efirst} to circle back by email.",
    "Hour-long session in the {office} office.", "Zoom link failed so we used the phone.", "Notes below.",
    "Same time next month.", "We'll meet at the {office} branch next time.", "Sent the deck over after the call.",
)

ABBREV = {"patients": "pts", "physicians": "docs", "doctors": "drs", "because": "b/c", "with": "w/",
          "without": "w/o", "customers": "custs", "and": "&", "about": "abt", "information": "info",
          "management": "mgmt", "weeks": "wks", "minutes": "mins", "people": "ppl", "prescription": "rx",
          "prescriptions": "rxs", "appointments": "appts", "appointment": "appt", "territory": "terr",
          "before": "b4", "through": "thru", "hours": "hrs", "approval": "approv", "number": "#",
          "something": "sth", "representative": "rep", "month": "mo", "months": "mos"}


def _typo(word: str, rng: random.Random) -> str:
    """A swapped, dropped or doubled letter, as people type on a phone."""
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == 1:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


@dataclass(frozen=True)
class _Writer:
    """How one executive writes notes: layout, shorthand, typos, capitals."""

    styles: tuple[float, ...]  # weights over STYLES
    typos: float  # chance a sentence gets a typo
    lower: float  # chance a sentence starts in lower case
    abbrev: float  # chance a word with a short form is shortened (on top of shorthand notes)


STYLES = ("prose", "bullets", "numbered", "semicolons", "shorthand")


def _writer(rng: random.Random) -> _Writer:
    base = [40, 20, 12, 10, 18]
    favourite = rng.randrange(len(STYLES))
    base[favourite] *= 4
    return _Writer(tuple(base), typos=rng.choice([0.02, 0.08, 0.2]), lower=rng.choice([0.0, 0.05, 0.4]),
                   abbrev=rng.choice([0.0, 0.0, 0.1, 0.3]))


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
    writers: dict[tuple[str, str], _Writer]


def _people(rng: random.Random) -> _People:
    used: set[tuple[str, str]] = set()

    def name() -> tuple[str, str]:
        while True:
            n = (rng.choice(FIRST), rng.choice(LAST))
            if n not in used:
                used.add(n)
                return n

    partners = {office: [name() for _ in range(rng.randint(5, 8))] for offices in REGIONS.values() for office in offices}
    executives = [name() for _ in range(14)]
    return _People(partners, executives, {e: _writer(rng) for e in executives})


def _holdout(pool: tuple, item: object) -> bool:
    # The last third of each pool (at least one item) is held out.
    return pool.index(item) >= len(pool) - max(1, len(pool) // 3)


def _shorten(text: str, rate: float, rng: random.Random) -> str:
    return " ".join(ABBREV.get(w, w) if w in ABBREV and rng.random() < rate else w for w in text.split(" "))


def generate(n_notes: int = 3200, seed: int = 7) -> tuple[list[dict], list[dict]]:
    """Returns (export rows, ground truth records), both in note order."""
    rng = random.Random(seed)
    people = _people(rng)
    offices = [(r, o) for r, os_ in REGIONS.items() for o in os_]
    span = (END - START).days
    multi = {frozenset(keys): (keys, text) for keys, text in MULTI}
    multi_texts = tuple(text for _, text in MULTI)
    rows, truth = [], []
    for i in range(n_notes):
        region, office = rng.choice(offices)
        # Slightly more meetings later in the program, as it grows.
        day = START + timedelta(days=int(span * (rng.random() ** 0.85)))
        pf, pl = rng.choice(people.partners[office])
        ef, el = rng.choice(people.executives)
        writer = people.writers[(ef, el)]
        style = rng.choices(STYLES, writer.styles)[0]
        ctx = dict(pfirst=pf, pn=f"{pf} {pl}", efirst=ef, office=office,
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
        keys = [t.key for t in chosen]
        for pair in [multi[frozenset(p)] for p in _pairs(keys) if frozenset(p) in multi]:
            if pair[0][0] in keys and pair[0][1] in keys and rng.random() < 0.5:
                for k in pair[0]:
                    keys.remove(k)
                sentences.append(dict(kind="issue", theme=pair[0][0], themes=list(pair[0]), text=pair[1].format(**ctx),
                                      split="holdout" if _holdout(multi_texts, pair[1]) else "dev"))
        for t in chosen:
            if t.key in keys:
                phrasing = rng.choice(t.phrasings)
                sentences.append(dict(kind="issue", theme=t.key, text=phrasing.format(**ctx),
                                      split="holdout" if _holdout(t.phrasings, phrasing) else "dev"))
        for kind, pool, k in (("smalltalk", SMALL_TALK, rng.randint(1, 3)), ("logistics", LOGISTICS, rng.randint(1, 3)),
                              ("filler", FILLER, rng.choices([0, 1, 2], [45, 40, 15])[0])):
            for item in rng.sample(pool, k):
                sentences.append(dict(kind=kind, theme=None, text=item.format(**ctx),
                                      split="holdout" if _holdout(pool, item) else "dev"))
        # Small talk tends to open a note and logistics to close it; issues and filler sit in between.
        order = {"smalltalk": 0, "issue": 1, "filler": 1, "logistics": 2}
        sentences.sort(key=lambda s: (order[s["kind"]], rng.random()))
        if rng.random() < 0.25:
            rng.shuffle(sentences)
        for s in sentences:
            if ctx["email"] in s["text"]:
                planted["emails"].append(ctx["email"])
            if ctx["phone"] in s["text"]:
                planted["phones"].append(ctx["phone"])
            if style == "shorthand":
                s["text"] = _shorten(s["text"], 1.0, rng).rstrip(".")
            elif writer.abbrev:
                s["text"] = _shorten(s["text"], writer.abbrev, rng)
            if rng.random() < writer.lower or (style == "shorthand" and rng.random() < 0.5):
                s["text"] = s["text"][0].lower() + s["text"][1:]
            if rng.random() < writer.typos:
                words = s["text"].split(" ")
                j = rng.randrange(len(words))
                if not any(v in words[j] for v in (pf, pl, ef, el, ctx["email"], ctx["phone"], ctx["mid"])):
                    words[j] = _typo(words[j], rng)  # planted names and contact details stay as planted
                s["text"] = " ".join(words)
        text, spans = _render(sentences, style, rng)
        while len(text.split()) < 30:
            item = rng.choice(SMALL_TALK)
            sentences.insert(0, dict(kind="smalltalk", theme=None, text=item.format(**ctx),
                                     split="holdout" if _holdout(SMALL_TALK, item) else "dev"))
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


def _pairs(keys: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for n, a in enumerate(keys) for b in keys[n + 1:]]


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
