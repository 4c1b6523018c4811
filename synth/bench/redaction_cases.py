"""Crafted personal details in meeting-note sentences, for measuring redaction only.

Each case is one sentence in which `[[...]]` marks text that must disappear and `{{...}}` marks
words that must survive (over-redaction), with the names the export's own partner/executive
columns would list (`roster`), usually none: most notes name people the columns do not.

Batch 1 is split in two halves by a hash of the sentence (`split`): rules in synth/redact.py
were first written looking only at the failures of the "dev" half, and the "heldout" half was
then measured once (recall 0.932, precision 0.982) before its four misses were looked at and
the rules generalised. Batch 2 ("fresh") was written after that and measured once (recall
0.860, precision 0.978) before its misses were looked at; batch 3 after the rules had been
generalised again (measured once: recall 0.889, precision 0.970); batch 4 after that (measured
once: recall 0.789, precision 0.914). Pooled, the first measurements of sentences the rules had
not seen: recall 160/183 = 0.874, nearly all misses names in new contexts. Batch 5 was written
blind (by someone who had not read the rules or the earlier cases) and measured once: recall
0.978 (45/46), precision 0.939 (46/49), must-survive words kept 38/41; its misses were not
looked at. synth.bench.redaction prints misses for "dev" only unless asked. Add cases in
a new batch; do not edit one to make a figure better. Nothing in synth reads this file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    kind: str
    marked: str
    roster: tuple[str, ...] = ()
    batch: int = 1  # 2, 3: written after the rules were fitted to the batches before

    @property
    def text(self) -> str:
        return re.sub(r"\[\[|\]\]|\{\{|\}\}", "", self.marked)

    def _spans(self, open_: str, close: str) -> list[tuple[int, int]]:
        out, plain, pos = [], [], 0
        for m in re.finditer(r"\[\[|\]\]|\{\{|\}\}", self.marked):
            plain.append(self.marked[pos:m.start()])
            pos = m.end()
            at = len("".join(plain))
            if m.group() == open_:
                start = at
            elif m.group() == close:
                out.append((start, at))
        return out

    @property
    def secrets(self) -> list[tuple[int, int]]:
        """Character spans of the text that must disappear."""
        return self._spans("[[", "]]")

    @property
    def keeps(self) -> list[tuple[int, int]]:
        """Character spans of words that must survive."""
        return self._spans("{{", "}}")

    @property
    def split(self) -> str:
        if self.batch > 1:
            return "fresh" if self.batch == 2 else f"batch{self.batch}"
        return "dev" if hashlib.sha256(self.text.encode()).digest()[0] % 2 == 0 else "heldout"


C = Case
CASES = [
    # ---- names in context: lower case, non-Western, titles, apostrophes, hyphens, long names
    C("name", "spoke with [[maria gonzalez]] about the {{late}} samples"),
    C("name", "[[nguyen thi mai]] said the delivery van broke down twice this month"),
    C("name", "patient [[raj]] waited {{three hours}} for a refill"),
    C("name", "mr. [[jones]] wants the consent forms translated"),
    C("name", "[[Siobhan O'Brien-Kowalski]] raised the parking problem again."),
    C("name", "Talked with [[Oluwaseun Adebayo-Williams]] about the night rota."),
    C("name", "[[Abdulrahman bin Khalid Al-Qahtani]] said the barcode scanners are slow."),
    C("name", "Dr [[Chidi Okafor]] flagged that the vaccine fridge alarm is broken."),
    C("name", "according to [[priya]], the tablets keep crashing during checkout"),
    C("name", "Ms [[Long]] said the wait for interpreters is {{too long}}.", ("Ann Long",)),
    C("name", "[[Tomás Ó Ceallaigh]] thinks the new uniforms are too hot for the warehouse."),
    C("name", "met [[d'angelo]] from the loading dock, he says the forklifts are overdue for service"),
    C("name", "[[María José Fernández de la Cruz]] reported that the translation line drops calls."),
    C("name", "Customer [[Wanjiru Kamau]] complained about the queue at the {{counter}}."),
    C("name", "the pharmacist, [[li wei]], said the dispensing robot jams every {{Friday}}"),
    C("name", "asked [[jean-luc]] whether the tills were fixed; they are not"),
    C("name", "[[Kwame Mensah]]'s team is short two drivers in {{Leeds}}."),
    C("name", "[[Hiroshi Tanaka]] and [[Aiko Suzuki]] both mentioned the broken lift."),
    C("name", "cc [[ravi shankar]] on the follow-up about rota gaps"),
    C("name", "Nurse [[Fatou Diallo]] says the night shift has no porter."),
    C("name", "Mrs. [[Van der Berg]] asked why deliveries arrive at {{6 am}}."),
    C("name", "I sat down with [[zhang xiu ying]] from billing, invoices are going out late"),
    C("name", "[[Olga Petrovna Ivanova]] noted the heating has been off for a week."),
    C("name", "[[Ngozi]] told us the clinic runs out of gloves by {{Thursday}}."),
    C("name", "heard from [[thandiwe nkosi]] that the app logs her out every hour"),
    C("name", "Mr [[Price]] said the {{price}} of staff parking went up again.", ("David Price",)),
    C("name", "[[Hope]] mentioned there is little {{hope}} of a new van this year.", ("Hope Adams",)),
    C("name", "[[Will]] said we {{will}} need more cover over the holidays.", ("Will Turner",)),
    C("name", "[[Pedro Long]] says the {{long}} queues put customers off.", ("Pedro Long",)),
    C("name", "The night manager, [[Björn Åkesson]], said the freezer door does not seal."),
    C("name", "Quick chat with [[Aisha]] and [[Omar Farouk]] about shift swaps."),
    C("name", "[[ji-hoon park]] said the printer queue is stuck again"),
    C("name", "Met patient [[Ahmed]] again, his prescription was lost."),
    C("name", "Prof. [[Adaeze Nwosu]] wants data on missed appointments."),
    C("name", "Sra. [[Lopez]] said the Spanish leaflets are outdated."),
    C("name", "our rep [[keanu kahananui]] says island deliveries are always late"),
    C("name", "left a note for [[dmitri]] about the broken chairs in the {{break room}}"),
    C("name", "[[Mei-Ling Chua-Hernandez]] is covering two stores and is exhausted."),
    C("name", "talked to [[Dr. Sunita Ramaswamy-Iyer]] about referral delays"),
    C("name", "According to [[Ifeoma]], the courier never rings the bell."),
    C("name", "[[o'connor]] said the loading bay lights are out"),
    C("name", "client [[bogdan]] keeps getting double-billed"),
    C("name", "Spoke with [[Grace]] about the {{grace period}} on late fees.", ("Grace Obi",)),
    C("name", "[[Mark Bell]] will {{mark}} the broken shelves for repair.", ("Mark Bell",)),
    C("name", "[[Anh Thu Tran]] asked for a second scanner at the front desk."),
    C("name", "Catching up with [[Rosalind]] - she says the {{VPN}} drops hourly."),
    C("name", "[[Kofi Boateng]], [[Ama Owusu]] and [[Yaw Darko]] all raised the pay delay."),
    C("name", "[[Sipho]] said the new rostering tool ignores leave requests"),
    # ---- e-mail addresses, plain and obfuscated
    C("email", "reach her at [[john dot doe at acme dot com]] about the refunds"),
    C("email", "email [[j.smith@northwind.co.uk]] for the rota"),
    C("email", "send the complaint to [[maria(at)clinic(dot)org]]"),
    C("email", "his address is [[pat_kim [at] example [dot] net]] if the portal fails"),
    C("email", "Contact [[ops-team+urgent@sub.domain.io]] when the {{till}} freezes."),
    C("email", "[[LISA.WONG@HOSPITAL.ORG]] never answers about the rota."),
    C("email", "write to [[a.b.c at gmail dot com]] for the old invoices"),
    C("email", "Email [[kofi AT mail DOT gh]] for the Accra stock figures."),
    C("email", "ping [[r.patel@acme-health.com]] about the {{broken}} label printer"),
    C("email", "forward the rota to [[m_garcia at outlook dot com]] please"),
    C("email", "the complaints inbox ([[complaints {at} retailco {dot} com]]) is full"),
    C("email", "she uses [[t.nakamura (at) hosp (dot) jp]] not the work address"),
    # ---- phone numbers, international and short
    C("phone", "call [[+44 20 7946 0958]] for the London depot"),
    C("phone", "his mobile is [[+33 6 12 34 56 78]] if the shift changes"),
    C("phone", "ring [[555-1234]] for the site office, nobody answers"),
    C("phone", "The Sydney office is on [[(02) 9374 4000]] but it goes to voicemail."),
    C("phone", "text [[+91 98765 43210]] when the stock arrives"),
    C("phone", "Berlin warehouse: [[+49 (0)30 123456]], always busy."),
    C("phone", "her UK mobile [[07700 900123]] is the only way to reach her"),
    C("phone", "escalations go to [[+1-415-555-0132]] after 6pm"),
    C("phone", "Dublin helpdesk [[+353 1 234 5678]] keeps people on hold for {{40 minutes}}"),
    C("phone", "call [[555.867.5309]] ext 12 about the keys"),
    C("phone", "Tokyo contact [[+81-3-1234-5678]] only answers in Japanese."),
    C("phone", "the Lagos agent ([[+234 803 123 4567]]) never picks up"),
    C("phone", "text her on [[0412 345 678]] about the roster"),
    # ---- ID-like tokens with prefixes, MRNs, SSNs
    C("id", "[[E-48213]] has not been paid for overtime since {{March}}"),
    C("id", "emp id [[4821]] keeps getting locked out of the kiosk"),
    C("id", "MRN [[00123456]] was sent to the wrong clinic"),
    C("id", "employee #[[20931]] asked about the shift allowance"),
    C("id", "badge no. [[B7734]] does not open the stock room"),
    C("id", "patient ID: [[PT-55102]] was double-booked"),
    C("id", "medical record number [[A-00991]] had the wrong allergy listed"),
    C("id", "member id [[XJ4471]] cannot log in to the benefits site"),
    C("id", "emp# [[5521]] was rostered on two sites at once"),
    C("id", "staff number [[448201]] shows the wrong manager in the HR system"),
    C("id", "His employee ID is [[EMP-00417]] and payroll still has the old one."),
    C("id", "mrn: [[7781234]], results were filed under another patient"),
    C("ssn", "SSN [[123-45-6789]] was printed on the mailing label"),
    C("ssn", "social security number [[078 05 1120]] is visible on the old forms"),
    C("ssn", "her ss# [[219-09-9999]] was read out at the front desk"),
    C("ssn", "the form listed [[462-73-1190]] in full, which should never happen"),
    C("ssn", "Applicant SSN: [[536221234]] appears in the shared folder."),
    # ---- card numbers (Luhn-valid)
    C("card", "the customer's card [[4111 1111 1111 1111]] was charged twice"),
    C("card", "card [[5500-0000-0000-0004]] was written on the {{sticky note}}"),
    C("card", "Amex [[378282246310005]] declined at the till three times"),
    C("card", "someone taped card number [[6011111111111117]] to the register"),
    C("card", "refund went to [[4012 8888 8888 1881]] instead of the new card"),
    # ---- dates of birth
    C("dob", "DOB [[03/04/1981]] was missing from the referral"),
    C("dob", "born [[4 March 1981]], she still waits for the pension update"),
    C("dob", "date of birth: [[1979-11-23]] is wrong in the system"),
    C("dob", "d.o.b. [[12.07.1990]] did not match the insurance card"),
    C("dob", "He was born on [[March 4th, 1981]] and the portal says 1918."),
    C("dob", "the patient (DOB [[11/02/56]]) got someone else's letter"),
    # ---- IP addresses
    C("ip", "the kiosk at [[192.168.1.42]] keeps rebooting"),
    C("ip", "logins from [[203.0.113.195]] at night were blocked"),
    C("ip", "printer [[10.0.0.7]] is offline again"),
    C("ip", "the VPN hands out [[2001:db8::8a2e:370:7334]] and the app rejects it"),
    # ---- user handles
    C("handle", "DM [[@maria_g]] on Slack for the rota"),
    C("handle", "[[@jdoe]] posted the {{schedule}} late again"),
    C("handle", "tagged [[@kwame.m]] in the thread but no reply"),
    C("handle", "the complaint came from [[@the_real_pat]] on the community forum"),
    # ---- several at once
    C("mixed", "[[kim]] said to call [[+44 7700 900077]] or email [[kim dot lee at nhs dot net]]"),
    C("mixed", "[[Dr. Obi]] (MRN [[88412093]]) asked us to use [[obi.r@clinic.ng]]"),
    C("mixed", "spoke with [[tran van duc]], phone [[555-0198]], about the {{late}} payroll"),
    C("mixed", "[[Fernanda]] gave her DOB as [[7 June 1975]] and her mobile [[+55 11 91234-5678]]"),
    # ---- words that must survive (names that are words, places, figures, codes)
    C("word", "there was {{a long wait}} and {{the price went up}} again", ("Ann Long", "Sam Price")),
    C("word", "{{Long}} queues at the pharmacy put customers off.", ("Ann Long",)),
    C("word", "{{Price}} increases hit the canteen first.", ("David Price",)),
    C("word", "We {{hope}} the vans arrive before {{Christmas}}.", ("Hope Adams",)),
    C("word", "{{Will}} the new system be ready by {{June}}?", ("Will Turner",)),
    C("word", "the {{bill}} for the uniforms was wrong", ("Bill Ng",)),
    C("word", "the meeting on {{03/04/2026}} was moved to {{Room 4B}}"),
    C("word", "Sales fell {{20%}} in {{Q3}} at the {{Route 66}} store."),
    C("word", "the upgrade to {{v2.3.1}} broke the label printer at {{3:30 pm}}"),
    C("word", "The {{Long Beach}} depot is short of vans.", ("Ann Long",)),
    C("word", "{{COVID-19}} testing kits ran out at {{St. Mary's}}."),
    C("word", "the {{I-9}} forms and {{HIPAA}} training are overdue"),
    C("word", "staff at {{Johns Hopkins}} say the {{ICU}} beds are full"),
    C("word", "we spent {{$1,200}} on taxis in {{2024}} because the van was broken"),
    C("word", "patients wait {{45 minutes}} at {{Building 7}} reception"),
    C("word", "patient {{care}} suffers when the night shift is short"),
    C("word", "spoke with the {{pharmacy team}} about {{expired stock}}"),
    C("word", "the {{manager}} said the {{iPhone 12}} handsets are too old"),
    C("word", "customers said the {{Walgreens}} on {{Elm Street}} is always out of stock"),
    C("word", "{{Mark}} the date: the audit is on the {{14th}}.", ("Mark Bell",)),
    C("word", "there is no {{grace}} period for late returns", ("Grace Obi",)),
    C("word", "asked {{everyone}} about the {{overtime}} rules"),
    C("word", "the {{Teams}} call dropped {{twice}} in {{Lagos}}"),
]

F = lambda kind, marked, roster=(): Case(kind, marked, tuple(roster), batch=2)
CASES += [
    F("name", "went over the backlog with [[esperanza villanueva]] and she is worried about audits"),
    F("name", "[[Chukwuemeka Eze]] wants the shift pattern changed before winter."),
    F("name", "per [[yusuf]], the scales in aisle 4 weigh light"),
    F("name", "Mrs [[Nakamura-Schulz]] phoned twice about the missing refund."),
    F("name", "resident [[pham van long]] keeps missing his insulin round"),
    F("name", "[[Bartholomew Ngata]] explained that the rota app crashes on older phones."),
    F("name", "Had coffee with [[Saoirse]] from payroll: overtime is paid a month late."),
    F("name", "[[dr. amara okonkwo-bello]] asked for a second defibrillator"),
    F("name", "[[Leilani Kahale]] and her manager both said the stockroom floods."),
    F("name", "Thanks to [[Joaquín]], the kiosk finally prints receipts."),
    F("name", "ms. [[de souza]] complained the forms are only in English"),
    F("name", "[[Rahul]] says customers are confused by the new loyalty card."),
    F("name", "I caught up with [[Tatiana Vasquez-Oyelaran]] about the broken lockers."),
    F("name", "the driver, [[Emeka]], said the tail lift is broken again"),
    F("name", "Mr. [[Brown]] said the {{brown}} envelopes never arrive.", ("Peter Brown",)),
    F("name", "[[Young]] said {{young}} staff leave after a month.", ("Mia Young",)),
    F("name", "[[Ayşe Yılmaz]] flagged that the night bus no longer stops at the depot."),
    F("name", "message from [[kenji]]: the label printer is out of ribbon"),
    F("name", "[[Mohammed Al-Rashid]]'s store lost power twice last week."),
    F("name", "Reviewed the complaints with [[Colm Ó Briain]]."),
    F("name", "spoke to [[lakshmi narayanan]], same issue with the badge readers"),
    F("name", "Pharmacist [[Zanele Mokoena]] says the cold chain log is on paper."),
    F("email", "her email is [[grace.obi(at)northwind(dot)co(dot)uk]]"),
    F("email", "send it to [[ravi underscore k at mailbox dot org]] or the team inbox"),
    F("email", "escalate to [[Helpdesk.Team@Retail-Group.EU]] with a screenshot"),
    F("email", "the rota is mailed from [[noreply at rosterapp dot io]] and lands in spam"),
    F("phone", "the agency number [[+61 2 9876 5432]] is never staffed on weekends"),
    F("phone", "call the yard on [[020 7123 4567]] before 7"),
    F("phone", "her cell is [[(312) 555-0147]]"),
    F("phone", "the Paris office ([[+33 1 42 68 53 00]]) closes at noon on Fridays"),
    F("phone", "new number for the night desk: [[555 0123]]"),
    F("id", "employee number [[30417]] was paid at the old rate"),
    F("id", "the incident mentions staff ID [[S-20931]] by name"),
    F("id", "MRN#[[4471902]] got the wrong discharge letter"),
    F("id", "payroll no. [[P88213]] missing from the bonus list"),
    F("ssn", "her SSN ([[512-44-1093]]) was on the printout left at reception"),
    F("card", "card ending in full: [[5555 5555 5555 4444]] was left in the till"),
    F("card", "refund card [[4000-0566-5566-5556]] was rejected"),
    F("dob", "his date of birth, [[2 February 1964]], is wrong on the badge"),
    F("dob", "DOB: [[1990-05-17]]; the pharmacy has 1990-07-15"),
    F("dob", "born [[14/09/1972]] according to the old file"),
    F("ip", "the till at [[172.16.4.21]] cannot reach the payment server"),
    F("handle", "posted by [[@nurse_kemi]] in the staff group"),
    F("handle", "ask [[@ops.lead]] on Teams about the rota"),
    F("mixed", "[[Beatriz]] (emp id [[7712]], [[beatriz.s@retail.com]]) asked about the missing overtime"),
    F("mixed", "call [[Mr Adeyemi]] on [[+234 1 234 5678]] re his DOB [[5/6/1970]] mismatch"),
    F("word", "the {{long}} shifts and {{hope}} of a raise keep people going", ("Ann Long", "Hope Adams")),
    F("word", "{{Brown}} bags run out by noon.", ("Peter Brown",)),
    F("word", "the {{young}} drivers need more training", ("Mia Young",)),
    F("word", "{{Will}} we get the new tills before {{Easter}}?", ("Will Turner",)),
    F("word", "the clinic on {{Park Avenue}} has no ramp"),
    F("word", "{{Section 8}} paperwork and {{Form 1099}} questions take up every session"),
    F("word", "the {{2019}} laptops take {{10 minutes}} to boot"),
    F("word", "we met at {{8:15}} in {{Conference Room B}}"),
    F("word", "{{Dr. Martens}} boots are no longer allowed on the floor"),
    F("word", "customers at the {{Mission Street}} store complain about {{Uber Eats}} drivers"),
    F("word", "{{Amazon}} deliveries block the loading bay every {{Tuesday}}"),
]

G = lambda kind, marked, roster=(): Case(kind, marked, tuple(roster), batch=3)
CASES += [
    G("name", "- from [[kwabena]]: the walk-in freezer alarm goes off every night"),
    G("name", "notes by [[fatima o.]]"),
    G("name", "[[J. Okoro]] said the new hires never got their logins."),
    G("name", "the rota was changed by [[MARGARET HOLLOWAY]] without telling anyone"),
    G("name", "[[raj]]'s team still has no scanner"),
    G("name", "Feedback from [[Dr Nkemdirim]]: discharge letters are late."),
    G("name", "[[Svetlana]] thinks the uniforms are unsafe near the ovens."),
    G("name", "we had [[Tupac Quispe]] in the session; he says the altitude allowance was cut"),
    G("name", "patient [[mrs okafor]] was given the wrong leaflet"),
    G("name", "[[Xu Ming]] reported the loading ramp is cracked."),
    G("name", "Discussed rota gaps with [[Anneliese Brandt-Nilsson]] and [[Piotr]]."),
    G("name", "asked [[nnamdi]] if the vans were serviced, they were not"),
    G("name", "[[Guadalupe]] mentioned nobody trained her on the new till"),
    G("name", "Manager [[Haruto Sato]] wants fewer meetings."),
    G("name", "[[Moana]] told me the island shipments arrive damaged."),
    G("name", "my mentee [[siddharth]] is covering two sites"),
    G("name", "Mr [[Rice]] said the {{rice}} cooker in the canteen is broken.", ("Tom Rice",)),
    G("name", "[[Kai Stone]] says the {{stone}} floor is slippery when wet.", ("Kai Stone",)),
    G("email", "his email: [[s.mbeki at company dot co dot za]]"),
    G("email", "from [[ops_manager@west-region.example.org]] every morning at six"),
    G("email", "[[priya.n AT gmail DOT com]] is her personal one"),
    G("phone", "emergency line [[+27 21 555 0199]] goes to a voicemail box that is full"),
    G("phone", "reception: [[0161 496 0000]]"),
    G("phone", "call [[1-800-555-0175]] for the benefits line"),
    G("id", "badge [[B-99120]] stopped working after the update"),
    G("id", "the MRN [[MR0034412]] belongs to a different patient"),
    G("id", "employee id: [[A7731]] shows the wrong manager"),
    G("ssn", "SSN# [[301-22-4587]] was emailed in plain text"),
    G("card", "the card [[3714 496353 98431]] was charged for someone else's order"),
    G("dob", "patient born [[22.11.1948]] got the wrong vaccine letter"),
    G("dob", "D.O.B. [[Aug 3, 1991]] is missing from the HR file"),
    G("ip", "the camera at [[192.168.0.250]] drops off the network hourly"),
    G("handle", "the post from [[@kofi_b]] went viral in the staff group"),
    G("mixed", "[[Hana]] (ext 221, [[hana.k@clinic.jp]]) says the lab is short-staffed"),
    G("word", "the {{Rice}} Village store floods every spring", ("Tom Rice",)),
    G("word", "a {{stone}} fell from the facade and nobody fixed it", ("Kai Stone",)),
    G("word", "{{Grace}} periods on late payments were cut", ("Grace Obi",)),
    G("word", "the new {{Salesforce}} fields confuse everyone"),
    G("word", "{{Microsoft Teams}} crashes during every handover"),
    G("word", "the {{Spanish-language}} forms ran out in {{Houston}}"),
    G("word", "the {{King Street}} branch has had no manager since {{April}}"),
    G("word", "{{Nobody}} answers the phones after {{5 pm}}"),
]

H = lambda kind, marked, roster=(): Case(kind, marked, tuple(roster), batch=4)
CASES += [
    H("name", "Attendees: [[Nkechi Eze]], [[Tolu Bakare]], me"),
    H("name", "good to see you again, [[sofia]]"),
    H("name", "[[A.B. Okafor]] raised the pension question again"),
    H("name", "thanks [[ingrid]] for the notes"),
    H("name", "[[Nkechi]] & [[Tolu]] both want earlier shifts"),
    H("name", "the new hire ([[mateus]]) still has no locker"),
    H("name", "Ask [[Dr. Aigerim Nurlanovna]] about the referral backlog."),
    H("name", "[[yohannes tesfaye]] asked whether the bonus is taxed"),
    H("name", "I spoke with [[Mr. and Mrs. Delacroix]] about the broken gate"),
    H("name", "Follow-up from [[Valentina]] - still no spare keys for the van."),
    H("name", "[[Oyelaran]] says nobody reads the safety board."),
    H("name", "the complaint was about [[Dmitri Volkov]] shouting at the counter"),
    H("name", "Session with [[Bui Thi Hoa]]; night staff have no hot food."),
    H("name", "[[ngaio]] mentioned the shuttle leaves before the shift ends"),
    H("name", "customer [[Mrs. Chaudhry]] waited 50 minutes for her prescription"),
    H("name", "[[Aleksander]] and I walked the floor; the fire exit is blocked"),
    H("name", "Ms. [[Hill]] said the {{hill}} road floods in winter.", ("Jo Hill",)),
    H("name", "[[Summer]] said the {{summer}} rota is unfair.", ("Summer Ito",)),
    H("email", "forwarded to [[first.last at company.com]] by mistake"),
    H("email", "[[jdoe AT acme.com]] keeps bouncing"),
    H("email", "reply to [[<m.ortiz@clinic-east.org>]] only"),
    H("phone", "his German mobile [[+49 151 23456789]] is switched off"),
    H("phone", "tel. [[030 1234567]] rings out"),
    H("phone", "please ring [[(555) 010-4477]] before the delivery"),
    H("id", "Emp No: [[55123]] asked for a payslip reprint"),
    H("id", "patient no. [[884213]] was sent home without meds"),
    H("id", "MRN [[AB-771902]] was merged with another record"),
    H("ssn", "the social security no. [[432-19-8876]] was read aloud at intake"),
    H("card", "a customer left card [[4532 0151 1283 0366]] at the pharmacy"),
    H("dob", "dob [[4/3/81]] doesn't match his ID"),
    H("dob", "She was born in [[1958]] and the system says 1985."),
    H("ip", "the server [[10.20.30.40]]:8080 is down every Monday"),
    H("handle", "see the thread by [[@dana_w]] about parking"),
    H("mixed", "[[Olumide]] ([[olu.a at mail dot com]], [[+44 7911 123456]]) wants a transfer"),
    H("word", "{{Will}} power alone won't fix the rota", ("Will Turner",)),
    H("word", "the {{Price}} list for uniforms went up again", ("Sam Price",)),
    H("word", "see {{page 4}} of the handbook, the {{mark-up}} rules are unclear", ("Mark Bell",)),
    H("word", "the {{Rose Garden}} site has no parking", ("Rose Kim",)),
    H("word", "the {{Young Professionals}} network is only in {{London}}", ("Mia Young",)),
    H("word", "{{Summer}} hours start in {{May}} and nobody was told", ("Summer Ito",)),
    H("word", "the {{Nissan Leaf}} pool cars have no charging points"),
    H("word", "shipments from {{Addis Ababa}} arrive {{two weeks}} late"),
]

J = lambda kind, marked, roster=(): Case(kind, marked, tuple(roster), batch=5)
CASES += [
    J("name", "caught up w/ [[priya]] after the huddle, she wants to move to {{nights}} in the new yr"),
    J("name", "[[marcus]] said the {{Epic}} login times out every 10 min on the ward pcs"),
    J("name", "spoke with [[dave okonkwo]] re the rota, hes covering {{Leeds}} next week"),
    J("name", "asked [[lena]] whether the {{Teams}} channel actually helps - she said not really"),
    J("name", "[[jose]]'s manager hasnt done a 1:1 with him since the restructure"),
    J("name", "[[Siobhan O'Brien-Walsh]] from the {{Cork}} office joined for the last 20 mins"),
    J("name", "met [[D'Andre]] again, still waiting on his {{forklift}} refresher course"),
    J("name", "[[Jean-Luc]] and [[Anne-Marie Dubois]] both flagged the {{Paris}} shift pattern as unfair"),
    J("name", "[[Oluwaseun Adebayo-Ogunleye]] told me the {{night shift}} canteen closes at 10pm"),
    J("name", "session w/ [[Thirumalai Venkataraghavan Subramaniam]], {{pharmacy technician}}, {{Chennai}} site"),
    J("name", "[[Nguyen Thi Thanh Huong]] said the {{Metformin}} stock runs out every friday"),
    J("name", "[[Aigerim Nurlanovna Bekmukhambetova]] wants a mentor outside her dept, maybe {{Finance}}"),
    J("name", "[[Grace]] thinks the {{long}} wait for {{IT}} tickets is the main reason ppl leave", ("Grace Long",)),
    J("name", "[[Rosa White]] wants the {{white paper}} on flexible hours shared with the floor", ("Rosa White",)),
    J("name", "patient [[Ingrid Halvorsen]] complained twice abt the {{discharge lounge}}"),
    J("name", "Dr. [[Adeyemi]] has been covering two wards on her own since {{January}}"),
    J("name", "[[Kowalczyk]]'s manager told him to stop raising the {{PPE}} issue in huddles"),
    J("name", "she said [[Mateo]] from {{Logistics}} is the only one who knows the {{SAP}} workaround"),
    J("name", "ran out of time - [[Fatima Al-Zahrani]] to send the rota proposal via her {{Team Lead}}"),
    J("name", "[[Keanu Makoa]] said the {{Honolulu}} depot still uses paper timesheets, recieved no reply"),
    J("email", "if you need the template email me at [[r.okafor@northgate-health.co.uk]]"),
    J("email", "her personal addr is [[kimmy_tran88@gmail.com]] bc she cant get {{Outlook}} on her phone"),
    J("email", "reach him on [[j dot ferreira at brightlane dot com]] while hes on leave"),
    J("email", "send the survey to [[amara(at)fieldco(dot)org]] not the team inbox"),
    J("phone", "his mobile is [[(415) 555-0187]], text first he works nights"),
    J("phone", "gave me her cell [[555-8812]] in case the {{Wi-Fi}} drops again"),
    J("phone", "[[+44 7700 900123]] is her UK number while shes at the {{Manchester}} site"),
    J("phone", "contact for the {{Lyon}} visit: [[+33 6 12 34 56 78]]"),
    J("phone", "left a vm on [[919.555.0142]], no callback yet"),
    J("id", "his employee no. is [[E-48213]] if {{HR}} asks"),
    J("id", "emp id [[4821]] still shows as {{contractor}} in {{Workday}}"),
    J("id", "badge #[[5521]] doesnt open the {{Building C}} door after 7"),
    J("id", "staff ID [[AB-0093-7]] isnt on the {{Tableau}} access list yet"),
    J("ssn", "he read out his SSN [[412-67-9083]] on the call, told him not to do that"),
    J("ssn", "ssn [[531 22 7789]] was on the form she showed me"),
    J("id", "MRN [[00482913]] was left up on the whiteboard in {{Ward 7}}"),
    J("id", "pt mrn: [[KH7730215]] - family complained about the {{Ramipril}} dose"),
    J("card", "she pays for parking on her own card [[4716 2093 5581 0478]] and never gets it back"),
    J("card", "corporate card [[5186-7730-2264-9138]] declined at the {{Hilton}} again"),
    J("dob", "DOB [[14/03/1987]], so she isnt eligible for the {{graduate scheme}}"),
    J("dob", "d.o.b. [[3 Mar 1991]] - he asked if that affects the {{pension}} transfer"),
    J("ip", "his laptop ([[10.24.117.9]]) keeps getting blocked by {{Zscaler}}"),
    J("ip", "her home IP [[86.143.22.190]] got flagged by {{Okta}} twice this week"),
    J("handle", "ping [[@jsmith_ops]] on {{Slack}} about the rota swap"),
    J("handle", "she posts as [[@lena.makes]] on {{Instagram}} about the {{Bristol}} office"),
]
