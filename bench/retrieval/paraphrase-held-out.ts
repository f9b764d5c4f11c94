/**
 * A held-out paraphrase set, written after the first set (`paraphrase-set.ts`) and before any change
 * to retrieval was tried on it, and never used to choose one: it shows whether a change that helps on
 * the first set is general. Same shape: a question worded differently from its answer, and a
 * distractor that shares the question's words but not its meaning. Other topics than the first set.
 */
import type { Document, Question } from './corpus.ts';
import { paraphraseDocuments, type ParaphraseItem } from './paraphrase-set.ts';

const ITEMS: ParaphraseItem[] = [
  {
    topic: 'heating-repair',
    question: 'Who do I call when the radiator is cold?',
    answer:
      'Report a broken boiler to the building caretaker; a heating engineer visits within two working days.',
    distractor:
      'Cold call scripts: when you call a new client, keep the radiator of small talk short.',
  },
  {
    topic: 'library-fines',
    question: 'What happens if I return a book late?',
    answer:
      'Items kept past their due date are charged twenty cents per day, up to the price of the item.',
    distractor:
      'Happens to book a late table? The restaurant will return your deposit if you cancel.',
  },
  {
    topic: 'visa',
    question: 'Do I need papers to enter the country?',
    answer:
      'Travellers from outside the union must hold a passport valid for six months and an entry permit.',
    distractor: 'Papers for the country fair: enter your jam in the tasting contest by Friday.',
  },
  {
    topic: 'sick-note',
    question: 'What should I do if I am too ill to come in?',
    answer:
      'Phone your manager before nine on the first day of absence; a doctor’s certificate is required after three days.',
    distractor:
      'Come in and do what you should: the ill-fitting uniforms will be swapped at reception.',
  },
  {
    topic: 'recycling',
    question: 'Which bin takes empty bottles?',
    answer: 'Glass goes in the green container by the gate; rinse jars and remove the lids first.',
    distractor: 'Empty the bin under your desk into the bottles bank only if it takes no paper.',
  },
  {
    topic: 'overtime',
    question: 'Am I paid extra for working late?',
    answer:
      'Hours beyond the contract are compensated at one and a half times the normal rate, or as time off.',
    distractor: 'Working late buses are paid for by the city; extra stops were added this winter.',
  },
  {
    topic: 'data-deletion',
    question: 'How can I have my account erased?',
    answer:
      'Send a removal request from Settings › Privacy; all personal records are destroyed within thirty days.',
    distractor: 'My account manager can have lunch with you; ask how in the events calendar.',
  },
  {
    topic: 'noise',
    question: 'When do I have to keep quiet at night?',
    answer: 'Residents must avoid loud music and other disturbance between 10 pm and 7 am.',
    distractor:
      'Quiet nights at the observatory: keep your telescope covered when you have to leave.',
  },
  {
    topic: 'warranty',
    question: 'Will you fix my phone if it breaks?',
    answer:
      'Devices are covered against manufacturing defects for two years; repairs under guarantee are free.',
    distractor: 'Fix your phone to the dashboard with the new holder; it breaks only if dropped.',
  },
  {
    topic: 'parking-permit',
    question: 'Where can I leave my car overnight?',
    answer:
      'Residents with a permit sticker may use the underground garage; visitors pay at the meter on Elm Road.',
    distractor: 'Leave your car keys overnight at the front desk and we can clean the interior.',
  },
  {
    topic: 'expenses',
    question: 'How do I get paid back for a business trip?',
    answer:
      'Submit receipts for travel and hotel costs in the finance portal within a month; reimbursement follows the next payroll.',
    distractor: 'Business trip photos: get your pictures back from the printer by Monday.',
  },
  {
    topic: 'fire-drill',
    question: 'What do I do when the alarm rings?',
    answer:
      'Leave the building by the nearest stairway, do not use the lifts, and gather at the assembly point in the car park.',
    distractor: 'Alarm clocks that ring twice are on sale; do not miss the offer in the shop.',
  },
  {
    topic: 'allergies',
    question: 'Is there anything without nuts on the menu?',
    answer:
      'Every dish marked with a green leaf is prepared in a separate kitchen free of peanuts and tree kernels.',
    distractor: 'The menu has nothing new this week; anything with a star is on the lunch board.',
  },
  {
    topic: 'maternity',
    question: 'How long can I stay home after having a baby?',
    answer:
      'New mothers receive sixteen weeks of paid leave, and either parent may take a further year unpaid.',
    distractor: 'Stay home with the baby monitor app: how long the battery lasts after an update.',
  },
  {
    topic: 'internet-outage',
    question: 'Why is the wifi not working?',
    answer:
      'The wireless network is down for maintenance on Sunday morning; connections resume by noon.',
    distractor: 'Working on the wifi password? Why not use the guest card at the reception desk.',
  },
  {
    topic: 'lost-card',
    question: 'I misplaced my badge, how do I get into the office?',
    answer:
      'Security issues a temporary pass at the front desk on proof of identity; the old one is blocked.',
    distractor: 'Office badges for the quiz night: misplaced answers get no points.',
  },
  {
    topic: 'late-rent',
    question: 'What if I cannot pay my rent on time?',
    answer:
      'Tenants in financial difficulty should contact the housing office, which can agree a payment plan.',
    distractor: 'Pay on time for the summer camp and you can rent a canoe at half price.',
  },
  {
    topic: 'dress-code',
    question: 'Can I wear jeans to work?',
    answer:
      'Smart casual clothing is fine on most days; suits are expected only for client meetings.',
    distractor: 'Work jeans wear out fast; can a tailor patch the knees?',
  },
  {
    topic: 'vaccination',
    question: 'Does my child need shots before starting school?',
    answer:
      'Pupils must show a record of immunisation against measles, mumps and rubella when they enrol.',
    distractor: 'Starting school photography: shots of my child need a signed consent form.',
  },
  {
    topic: 'complaints',
    question: 'Who do I tell if I am unhappy with the service?',
    answer:
      'Write to the customer care team; every grievance is answered by a supervisor within five days.',
    distractor:
      'Tell the service desk who is unhappy with the new coffee machine so it can be moved.',
  },
];

export function buildHeldOutParaphraseSet(): { documents: Document[]; questions: Question[] } {
  return paraphraseDocuments(ITEMS, 'held-out-');
}
