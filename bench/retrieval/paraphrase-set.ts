/**
 * The paraphrase set: questions worded differently from the passages that answer them, each with a
 * distractor that shares the question's words but not its meaning. Written by hand for this bench
 * (issue 20); keyword search should find the distractors, a semantic embedder the answers.
 */
import type { Document, Question } from './corpus.ts';

export interface ParaphraseItem {
  topic: string;
  question: string;
  answer: string;
  distractor: string;
}

const ITEMS: ParaphraseItem[] = [
  {
    topic: 'refunds',
    question: 'How do I get my money back?',
    answer:
      'Purchases may be returned within 30 days of delivery; the full price is refunded to the original card.',
    distractor:
      'Money transfers: to get cash into your account, go back to the home screen and choose deposit.',
  },
  {
    topic: 'vacation',
    question: 'How much holiday time do staff receive?',
    answer:
      'Employees are entitled to twenty-five days of paid annual leave, plus public holidays.',
    distractor:
      'Holiday opening time: the staff canteen will receive deliveries later than usual in December.',
  },
  {
    topic: 'password-reset',
    question: 'I forgot my login, what now?',
    answer:
      'Click "Reset password" on the sign-in page and follow the link we email you to choose new credentials.',
    distractor:
      'Login banners now show what is new in the product; you can hide them once you have read them.',
  },
  {
    topic: 'shipping-time',
    question: 'When will my parcel arrive?',
    answer:
      'Orders are dispatched within one business day and delivery usually takes three to five days.',
    distractor:
      'Parcel lockers will arrive at more train stations, and my colleagues will install them when ready.',
  },
  {
    topic: 'cancel-subscription',
    question: 'How can I stop paying every month?',
    answer:
      'To end your plan, open Billing and choose "Cancel subscription"; you keep access until the period ends.',
    distractor:
      'Paying by bank transfer every month can stop working if your bank changes its routing code.',
  },
  {
    topic: 'pets',
    question: 'Can I bring my dog to the apartment?',
    answer:
      'Tenants may keep one cat or one small animal per unit with written approval from the landlord.',
    distractor:
      'Dog walkers can bring their keys to the front desk of the apartment block before noon.',
  },
  {
    topic: 'sick-leave',
    question: 'What should I do if I feel ill and cannot come in?',
    answer:
      "Notify your manager before your shift starts and submit a doctor's note for absences longer than three days.",
    distractor:
      'If you feel the coffee machine cannot come to temperature, do not switch it off; call facilities.',
  },
  {
    topic: 'warranty',
    question: 'My laptop broke after six months, is it covered?',
    answer:
      'All devices carry a two-year manufacturer guarantee against defects in materials and workmanship.',
    distractor:
      'Laptop sleeves are covered in the six months promotion; it broke sales records last year.',
  },
  {
    topic: 'parking',
    question: 'Where can I leave my car when visiting?',
    answer:
      'Guests may use the garage beneath building B; the first two hours are free with a stamped ticket.',
    distractor:
      'Visiting hours: you can leave flowers at reception, but where a car alarm sounds, call security.',
  },
  {
    topic: 'remote-work',
    question: 'Am I allowed to work from home?',
    answer: 'Staff may telecommute up to three days a week once agreed with their team lead.',
    distractor:
      'Home insurance work orders are allowed only after the adjuster has visited the property.',
  },
  {
    topic: 'late-payment',
    question: 'What happens if I pay the bill after the due date?',
    answer: 'Invoices settled late incur a fee of 2% per month on the outstanding balance.',
    distractor:
      'The due date for the bill of materials happens to be after the design review; pay attention.',
  },
  {
    topic: 'data-deletion',
    question: 'How do I make you erase everything you know about me?',
    answer:
      'Submit a GDPR request from your privacy settings and we will remove your personal records within 30 days.',
    distractor:
      'Erase the whiteboard after everything is copied, and let me know how you make the minutes.',
  },
  {
    topic: 'overtime',
    question: 'Do I get extra pay for working late?',
    answer: 'Hours beyond forty per week are compensated at one and a half times the normal wage.',
    distractor:
      'Working late on the extra pay phone line: get the headset from IT before the evening shift.',
  },
  {
    topic: 'lost-card',
    question: 'Someone stole my wallet with my bank card inside.',
    answer:
      'Freeze the card immediately in the app under Security; a replacement is mailed within five days.',
    distractor:
      'Wallet designs with a card window are inside the new catalogue; someone from the bank stole the show.',
  },
  {
    topic: 'noise',
    question: 'The neighbours are too loud at night.',
    answer: 'Quiet hours run from 10 pm to 7 am; report disturbances to the building manager.',
    distractor:
      'Night owls among the neighbours can borrow loud speakers for the summer party too.',
  },
  {
    topic: 'fire',
    question: 'What do I do if the building is burning?',
    answer:
      'Leave by the nearest stairwell, do not use elevators, and gather at the assembly point in the car park.',
    distractor:
      'The building burning rubbish in the courtyard is not allowed; what you do with waste matters.',
  },
  {
    topic: 'gym',
    question: 'Is there somewhere to exercise in the office?',
    answer: 'A fitness room with treadmills and weights is open on floor 3 from 6 am to 9 pm.',
    distractor:
      'Office supplies: there is somewhere on floor 1 to exercise your creativity with craft paper.',
  },
  {
    topic: 'expenses',
    question: 'How do I get reimbursed for a business trip?',
    answer:
      'File receipts in the finance portal within 30 days; approved claims are added to your next salary.',
    distractor: 'Business trip photos: get them to the newsletter team, who do the layout.',
  },
  {
    topic: 'wifi',
    question: 'How do I connect to the internet here?',
    answer:
      'The wireless network is "Guest-5G" and the passphrase is printed on the back of your badge.',
    distractor: 'Connect with colleagues here: the internet culture club meets on Thursdays.',
  },
  {
    topic: 'allergy',
    question: 'Does the food contain nuts?',
    answer:
      'Every dish on the menu lists allergens; peanuts and almonds are used only in desserts marked with a symbol.',
    distractor:
      'Food trucks contain the crowds at lunch; nuts and bolts for the stage are in the store room.',
  },
  {
    topic: 'baby',
    question: 'How long can I stay home after my child is born?',
    answer:
      'Parents receive sixteen weeks of paid parental leave, which may be split between both parents.',
    distractor:
      'Home office chairs are born out of long research; stay with the child seat model for kids.',
  },
  {
    topic: 'speed',
    question: 'Why is the app so slow?',
    answer:
      'Performance degrades when the cache is full; clearing stored data in Settings usually restores responsiveness.',
    distractor: 'The app store review was slow, so the launch of the app moved to next week.',
  },
  {
    topic: 'fraud',
    question: 'I see a charge on my statement I did not make.',
    answer:
      'Dispute unrecognised transactions within 60 days and we will investigate and credit you while we do.',
    distractor:
      'Charge your phone before you make a statement to the press; I did see the battery warning.',
  },
  {
    topic: 'recycling',
    question: 'Which bin does plastic go in?',
    answer:
      'Bottles, cans and packaging belong in the yellow container; glass has its own green one.',
    distractor: 'Plastic surgery bin: the clinic archive does go to storage after five years.',
  },
  {
    topic: 'promotion',
    question: 'How do I move up to a senior role?',
    answer:
      'Advancement is decided in the annual review, based on impact, scope and feedback from peers.',
    distractor:
      'Role play: move the senior citizens up to the front row so they can hear the speakers.',
  },
  {
    topic: 'train-delay',
    question: 'My train was late, can I claim compensation?',
    answer:
      'Passengers delayed over an hour are entitled to a 25% fare reimbursement via the online form.',
    distractor:
      'Train your staff to claim the late shift early; compensation packages are reviewed in March.',
  },
  {
    topic: 'heating',
    question: 'It is freezing in my flat.',
    answer:
      'If the radiators stay cold, bleed them with the key in your welcome pack or call maintenance.',
    distractor: 'Freezing flat bread keeps it fresh; it is best eaten within a month.',
  },
  {
    topic: 'hours',
    question: 'When are you open?',
    answer: 'The shop trades Monday to Saturday from 9 am to 6 pm and is closed on Sundays.',
    distractor:
      'Open source: when you are ready, contribute your patches through the mailing list.',
  },
  {
    topic: 'age',
    question: 'How old must you be to sign up?',
    answer:
      "Accounts are available to users aged 16 and over; younger people need a guardian's consent.",
    distractor:
      'Sign up for the old town walking tour; you must be on time because how the bus leaves is fixed.',
  },
  {
    topic: 'tax',
    question: 'Do I have to pay VAT on imports?',
    answer:
      'Goods from outside the EU are charged sales tax at the border, collected by the courier on delivery.',
    distractor:
      'Imports of tea have to pay off for the new shop; I do the VAT returns for it quarterly.',
  },
  {
    topic: 'dress-code',
    question: 'What should I wear to work?',
    answer:
      'Business casual is expected: no shorts or flip-flops, and a jacket for client meetings.',
    distractor:
      'Wear and tear at work: what should be replaced is listed in the equipment register.',
  },
  {
    topic: 'battery',
    question: 'My phone dies too quickly.',
    answer: 'Lower screen brightness and disable background refresh to make a charge last longer.',
    distractor: 'Phone repair: the shop dies down quickly after lunch, so come early.',
  },
  {
    topic: 'visa',
    question: 'Do I need papers to enter the country?',
    answer:
      'Travellers from outside the Schengen area must hold a valid passport and, for some nationalities, a visa.',
    distractor: 'Enter the papers you need into the country club newsletter before Friday.',
  },
  {
    topic: 'insurance-claim',
    question: 'Someone crashed into my car, who pays for repairs?',
    answer:
      'Damage caused by another driver is covered by their liability policy; file a report with both insurers.',
    distractor:
      'Car repairs pays well: someone who crashed the sales demo into the wall still got hired.',
  },
  {
    topic: 'meeting-room',
    question: 'How do I reserve a space for a meeting?',
    answer: 'Conference rooms are booked in the calendar app by adding the room as an attendee.',
    distractor: 'Space for the reserve team: how the meeting went is in the sports section.',
  },
  {
    topic: 'interest',
    question: 'How much will my savings earn?',
    answer:
      'The deposit account pays 3.1% a year, credited monthly, on balances up to 100,000 euros.',
    distractor: 'Earn badges for savings on energy: how much you save shows in the dashboard.',
  },
  {
    topic: 'printer',
    question: 'The printer is not working.',
    answer:
      'If pages jam or nothing comes out, turn the device off, clear the tray and check the toner level.',
    distractor:
      'Working printer cables are not in the cupboard any more; the inventory list is wrong.',
  },
  {
    topic: 'moving',
    question: 'I am moving to a new address.',
    answer:
      'Update where you live in your profile; bills will be sent to the new location from the next cycle.',
    distractor: 'Moving pictures: a new address by the director opens the film festival.',
  },
  {
    topic: 'children-pool',
    question: 'Can kids swim without an adult?',
    answer:
      'Under-12s must be accompanied by a supervising parent or guardian in the pool area at all times.',
    distractor: 'Kids can learn to swim in the adult education programme without prior experience.',
  },
  {
    topic: 'smoking',
    question: 'Where am I allowed to light a cigarette?',
    answer: 'Tobacco use is permitted only in the marked shelter beside the loading dock.',
    distractor:
      'Light fittings: where a cigarette burn damaged the carpet, you are allowed a new one.',
  },
];

/** One document per answer and one per distractor; one paraphrase question per item. */
export function paraphraseDocuments(
  items: ParaphraseItem[],
  namePrefix = '',
): { documents: Document[]; questions: Question[] } {
  const documents = items.flatMap((item) => [
    { name: `${namePrefix}${item.topic}.txt`, text: item.answer },
    { name: `${namePrefix}${item.topic}-distractor.txt`, text: item.distractor },
  ]);
  const questions = items.map((item) => ({
    style: 'paraphrase' as const,
    query: item.question,
    answer: `${namePrefix}${item.topic}.txt`,
  }));
  return { documents, questions };
}

export function buildParaphraseSet(): { documents: Document[]; questions: Question[] } {
  return paraphraseDocuments(ITEMS);
}
