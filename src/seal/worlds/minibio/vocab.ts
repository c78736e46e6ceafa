// Closed word lists of the mini-bio world. Every entry is one word of letters (or a year), so the model's
// tokenizer can make each one a single token; the attribute vocabularies are disjoint, so a value alone says
// which attribute it belongs to (used to grade notes and to measure leak).
export const FEMALE_FIRST = [
  'Alice', 'Anna', 'Clara', 'Diana', 'Elena', 'Emma', 'Fiona', 'Grace', 'Hannah', 'Irene',
  'Julia', 'Karen', 'Laura', 'Lena', 'Lucy', 'Maria', 'Nina', 'Olivia', 'Paula', 'Rachel',
  'Rosa', 'Sara', 'Sophie', 'Tina', 'Vera', 'Wendy', 'Zoe', 'Helen', 'Mona', 'Eva',
] as const;
export const MALE_FIRST = [
  'Adam', 'Ben', 'Carl', 'Daniel', 'Edward', 'Felix', 'George', 'Henry', 'Ivan', 'Jack',
  'Kevin', 'Leo', 'Mark', 'Nathan', 'Oscar', 'Paul', 'Peter', 'Ralph', 'Simon', 'Tom',
  'Victor', 'Walter', 'Hugo', 'Ryan', 'Owen', 'Luke', 'Max', 'Noah', 'Sam', 'Eric',
] as const;
export const LAST = [
  'Abbott', 'Baker', 'Carter', 'Dalton', 'Ellis', 'Fisher', 'Garner', 'Harper', 'Ingram', 'Jensen',
  'Keller', 'Lambert', 'Mercer', 'Norris', 'Osborne', 'Porter', 'Quinn', 'Rhodes', 'Sutton', 'Turner',
  'Upton', 'Vance', 'Walsh', 'Young', 'Barker', 'Cole', 'Doyle', 'Farrell', 'Gibson', 'Hayes',
  'Irwin', 'Jordan', 'Knight', 'Lowe', 'Marsh', 'Nolan', 'Owens', 'Parker', 'Reid', 'Shaw',
  'Tucker', 'Wade', 'Bishop', 'Crane', 'Dunn', 'Foster', 'Grant', 'Holt', 'Lynch', 'Moss',
  'Nash', 'Payne', 'Rowe', 'Stone', 'Todd', 'Webb', 'Wells', 'Boyd', 'Ford', 'Hale',
] as const;

export const CITIES = [
  'Paris', 'Berlin', 'Madrid', 'Rome', 'Vienna', 'Prague', 'Dublin', 'Lisbon', 'Oslo', 'Warsaw',
  'Athens', 'Cairo', 'Tokyo', 'Seoul', 'Lima', 'Quito', 'Denver', 'Boston', 'Chicago', 'Toronto',
  'Sydney', 'Nairobi', 'Mumbai', 'Delhi', 'Milan', 'Munich', 'Geneva', 'Bergen', 'Krakow', 'Porto',
] as const;
export const YEARS = Array.from({ length: 30 }, (_, i) => String(1950 + i));
export const UNIVERSITIES = [
  'Harvard', 'Stanford', 'Princeton', 'Yale', 'Cornell', 'Columbia', 'Caltech', 'Duke', 'Brown', 'Rice',
  'Oxford', 'Cambridge', 'Sorbonne', 'Bologna', 'Leiden', 'Uppsala', 'Heidelberg', 'Salamanca', 'Coimbra',
  'Tufts', 'Emory', 'Purdue', 'Vassar', 'Dartmouth',
] as const;
export const FIELDS = [
  'physics', 'chemistry', 'biology', 'history', 'law', 'music', 'economics', 'geology', 'medicine', 'philosophy',
  'mathematics', 'astronomy', 'linguistics', 'architecture', 'sociology', 'psychology', 'botany', 'statistics',
  'journalism', 'theology', 'anthropology', 'engineering', 'literature', 'agriculture',
] as const;
export const EMPLOYERS = [
  'Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Soylent', 'Vandelay', 'Wonka', 'Stark', 'Wayne',
  'Cyberdyne', 'Tyrell', 'Aperture', 'Oscorp', 'Massive', 'Pied', 'Gringotts', 'Monarch', 'Nakatomi', 'Dunder',
  'Virtucon', 'Duff', 'Krusty', 'Gekko', 'Sterling', 'Prestige', 'Ollivander', 'Zorg', 'Veidt', 'Rekall',
] as const;

/** The title of every passage and training line (see passage.ts for why it names no one). */
export const TITLE = 'Biography';
