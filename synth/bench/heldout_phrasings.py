"""Held-out sentences for "is this statement an issue?", written by hand for measurement only.

Nothing in synth reads this file: the text stage's rules and the sample generator must never be
developed against it (synth.bench.text is its only reader). Sentences are meant to look like
what many different note-takers write: any opening, any length, lower case, shorthand, typos,
topics outside the sample program's themes. Add sentences; do not edit them to make a
figure better.
"""

# Frontline issues: a problem, a risk or a request that someone should act on.
ISSUES = """
the copay is too high and patients abandon the prescription
Our reps in the north spend more time on the highway than with customers.
Pharmacies keep substituting the generic without telling the prescriber.
nobody answers the regional inbox, emails sit for a week
Why does it take three signatures to order printer toner?
If the badge readers fail again the night nurses are locked out of the med room.
Half the vans have no working air conditioning and the insulin gets warm.
Stock counts in the system never match what is on the shelf.
She said the new uniform policy is costing people money they do not have.
Two of the dialysis chairs have been broken since June.
Customers can't find the return policy on the website.
pt portal password resets take 3 days
docs complain the dosing card contradicts the label
Every Monday the shared drive is down for the first hour.
Managers approve leave requests so late that people cannot book travel.
There is still no ramp at the Elm Street entrance.
The pay-slip portal shows last month's hours, not this month's.
He worries that the pharmacy robot mislabels pills when it gets busy.
Lab results come back to the wrong clinic about once a week.
It takes forty minutes to get a translator on the phone for Somali-speaking families.
Too many people are covering two roles since the restructure.
Field staff want a simple way to report a safety incident from their phone.
overtime isn't being paid for the inventory weekend
The chillers in the stockroom alarm all night and nobody comes to fix them.
what really hurts is that bonuses were cut without any explanation
Patients are told to call a number that goes to a voicemail box that is full.
Our hospital accounts now demand data we cannot share because of compliance rules.
The handheld scanners die after four hours on a twelve-hour shift.
New hires are shadowing for two days and then thrown onto the floor alone.
Reps are asked to hit targets for a product that is on backorder.
The quarterly survey asks about things we have no control over, and results never come back to us.
Drivers keep getting parking tickets at the downtown hospital loading dock.
The call scripts are so rigid that customers hang up.
Since the merger nobody knows which policy manual applies.
Wheelchair patients cannot reach the check-in kiosk.
The fridge temperature logs are kept on paper and get lost.
they need more than one phone charger per team
The training videos don't load on the tablets we were given.
Rural pharmacies wait nine days for replenishment.
Price changes hit the shelves before the labels are updated, so customers get charged more at the till.
Expense approvals are stuck with a manager who left in March.
The break room has no microwave and people eat in their cars.
the ordering portal rejects any order over fifty lines
Hospital security will not let our reps park anywhere near the building.
Sick days are tracked in three different systems that disagree.
The new incentive plan rewards volume, so reps push the cheapest product.
Clinics are frustrated that our samples arrive with a two-month shelf life.
Nobody told the field that the recall was happening until customers called us.
we keep losing bids because our quotes take ten days
The app asks for two-factor codes by SMS and there is no signal in the hospital basement.
Patients with hearing loss can't use the phone booking line.
The warehouse in Reno ships the wrong lot numbers.
I was asked to raise that the night shift has no first-aid trained staff.
Can we please get someone to fix the leaking roof in the pharmacy?
The CRM duplicates every contact that we import from the trade show.
Bilingual staff get no extra pay even though they translate all day.
The loyalty card scanner at the front counter has been broken for a month.
staff parking moved a mile away and there is no shuttle
Promotions always go to people who work at headquarters.
Onboarding paperwork still has to be faxed.
The refill reminder texts go out after the prescription already ran out.
Our largest customer is threatening to leave over invoice errors.
Reps don't get the updated price list until a week after customers do.
The road to the Maple Creek clinic floods every spring and the visits are cancelled.
The district has had four managers in two years, so no plan lasts.
Older customers find the self-checkout confusing and leave without buying.
inventory audits happen during our busiest hours
Doctors keep asking for a study we are not allowed to share.
The uniforms only come in two sizes.
Staff are scared to report mistakes because of how the last incident was handled.
Locum nurses are not given system logins for their first three shifts.
The helpline closes at 4pm on Fridays, exactly when the clinics call.
Our competitor now offers free home delivery and we lose the elderly customers to them.
Pallets block the fire exit in the back store room most mornings.
Many reps still use personal phones because the company ones are so slow.
Recruiting takes so long that candidates accept other offers.
The patient information leaflet was printed with the wrong helpline number.
Coverage on weekends is one pharmacist for three sites.
we're out of the 10 mg strength again and the substitute confuses patients
The vending machine is the only food option for the night shift.
Training budgets were frozen so nobody has done the new certification.
Customer complaints are logged but nobody ever replies to them.
Mileage rates haven't changed in six years while fuel doubled.
Exam rooms are double-booked because the two calendars do not sync.
The printer in the dispensary jams on every label roll.
Managers do not have time for one-to-ones, so problems surface too late.
Deliveries to the island clinics only go out once a week.
The diabetes educators want written material in Tagalog.
The returns process needs a form that no one has seen.
Reps are tired of being asked for the same report in three formats.
new starters don't get a laptop for their first two weeks
Patients on the waiting list are not told how long they will wait.
The loading bay door is broken and the cold chain is exposed every delivery.
The trial kits expire before the practices can use them.
Our biggest account says our invoices are impossible to reconcile.
Staff in the Fresno office don't have a working heater this winter.
Nurses ask why the IV pumps are rented and not bought, they keep going missing.
The sales targets ignore that two hospitals in the territory closed.
There's no quiet room for breastfeeding staff.
Pickers have to walk the whole warehouse because the layout was never updated.
Pharmacy techs feel unsafe on the late shift after the robbery.
Customers ask for invoices by e-mail and we can only post them.
IT tickets are closed without the problem being fixed.
the loaner equipment comes back dirty and nobody tracks it
Formulary letters go to the old practice address.
A lot of our patients can't afford the bus fare to get to the clinic.
People want to be told about reorganisations before the press hears about them.
Schedules are posted on a whiteboard that people can only read on site.
Our distributor raised prices twice this year without notice.
The demo units are so old they no longer run the current software.
Product samples have to be signed for by a doctor who is never there.
The medication fridge alarm goes straight to a manager who is off on weekends.
We cannot print shipping labels when the internet drops.
Reps who work part-time are left out of all the training sessions.
No one has explained how the new commission formula works.
Interpreters are not available after 6pm.
The hospital now bans sales reps on Tuesdays and Thursdays, which kills half our calendar.
""".strip().splitlines()

# Not issues: small talk, scheduling and other logistics, content-free filler, praise, plain facts.
NOT_ISSUES = """
[PERSON] raised a few things.
we don't.
Thanks for the time today.
Let's meet again on the 14th at 3pm.
Moved our call to Thursday because of the all-hands.
His daughter just started college in Ohio.
We both grew up near Tulsa, which was fun to find out.
She brought up a couple of points.
Same as last time.
Good chat.
More on this next time.
I'll circle back next week.
[PERSON] had a few concerns.
Second meeting of the year.
We spent the first ten minutes on introductions.
Quick one today.
Nothing new since our last conversation.
She has been with the company for twelve years.
He covers six clinics in the north district.
Talked through a few topics.
Agreed to keep meeting monthly.
The next check-in is pencilled in for early May.
[PERSON] is the newest pharmacist at the branch.
Call dropped twice so we switched to phone.
Notes below.
See previous notes.
Overall a positive session.
She loves the new badge readers.
He said the new scheduling app has been a big improvement.
The team is proud of the patient satisfaction scores.
Congrats to the Fresno office for the safety award.
I asked what a typical day looks like for her.
He walked me through his route.
we talked for an hour
She is off on leave from next month.
He's been in the role for six weeks.
Mentioned he's coaching his son's basketball team.
They just moved into a new house.
We discussed her career so far.
[PERSON] prefers mornings for our calls.
I sent over the deck from the town hall.
The invite is in your calendar.
Room 4B is booked for the next one.
Sorry for the late notes.
Will share the summary with the group.
Couple of things to follow up.
Not much to report.
a few items below
lots covered.
She agreed.
He wasn't sure.
we'll see.
Anything else?
That's it for today.
Good energy in the room.
She thanked me for listening.
We laughed about the office coffee machine names.
He showed me photos from his trip to Portugal.
Asked about my background before joining.
We compared our commutes.
I explained what the leadership team does day to day.
I shared how I got into the industry.
She wants to keep these meetings going.
He is training for a half marathon.
Her dog had puppies last week.
Both of us are new to mentoring.
This was our third session.
Meeting held in the cafeteria.
Zoom link didn't work at first, used Teams instead.
Pushed to next Wednesday.
Calendar invite sent for the 2nd.
Followed up by email afterwards.
Took notes on my laptop.
Hour-long session.
The team had their holiday lunch on Friday.
She enjoys working with the older patients.
He likes the flexibility of the field role.
Patients generally like the new waiting area.
The new manager is settling in well.
Sales were up in the last quarter.
They hit their targets for the second month running.
He mentioned it briefly.
She had a question about it.
Several people echoed that.
[PERSON] agreed with the others.
we went over the usual.
Nothing urgent.
Just a catch-up this time.
Brief session, she had to leave early for a clinic.
I will bring the org chart next time.
Homework for me: read the onboarding guide.
She suggested we meet at her office next time.
He asked about my weekend.
She's originally from Manila.
He speaks four languages.
She used to work in retail before pharma.
Our meetings are on the first Monday of the month.
Next time we will walk the warehouse floor together.
I want to shadow a delivery run in spring.
Great to hear how much they care about patients.
He was really open today.
I learned a lot.
Thanks again, [PERSON].
""".strip().splitlines()
