import { describe, expect, it } from 'vitest';
import { containsAnswer, exactMatch, f1Score, firstLine, gradeMini, normalizeAnswer } from '../../src/seal/knowledge/grade.ts';

describe('SQuAD grading', () => {
  it('normalises like squad evaluate.py', () => {
    expect(normalizeAnswer('The  Normans!')).toBe('normans');
    expect(normalizeAnswer('a cat, an apple and the dog.')).toBe('cat apple and dog');
    expect(normalizeAnswer("Denver's Broncos")).toBe('denvers broncos');
    expect(normalizeAnswer('  10th–11th   century ')).toBe('10th–11th century');
    expect(normalizeAnswer('Theory')).toBe('theory'); // "the" only as a word
  });

  it('exact match takes the best gold answer', () => {
    expect(exactMatch('the Denver Broncos', ['Denver Broncos', 'Broncos'])).toBe(1);
    expect(exactMatch('Broncos.', 'Denver Broncos')).toBe(0);
    expect(exactMatch('', [])).toBe(0);
  });

  it('token F1 as squad v1.1 (multiset overlap); empty answers', () => {
    expect(f1Score('Denver Broncos', 'Denver Broncos')).toBe(1);
    expect(f1Score('the Broncos won', 'Denver Broncos')).toBeCloseTo((2 * 0.5 * 0.5) / 1, 10);
    expect(f1Score('x y y', 'y y z')).toBeCloseTo(2 / 3, 10);
    expect(f1Score('a b b', 'b b c')).toBeCloseTo(0.8, 10); // "a" is an article: dropped
    expect(f1Score('x', 'y')).toBe(0);
    expect(f1Score('', '')).toBe(1);
    expect(f1Score('the', 'Paris')).toBe(0);
    expect(f1Score('Paris', ['London', 'in Paris'])).toBeCloseTo(2 / 3, 10);
  });

  it('contains a gold answer as whole normalised words', () => {
    expect(containsAnswer('It was the Denver Broncos, in 2016.', 'Denver Broncos')).toBe(1);
    expect(containsAnswer('Parisian food', 'Paris')).toBe(0);
    expect(containsAnswer('anything', ['', 'the'])).toBe(0);
  });

  it('mini world: the first line states the gold value and no other value of its attribute', () => {
    expect(gradeMini('Paris', 'Paris')).toBe(1);
    expect(gradeMini('Grace Shaw was born in Paris.', 'Paris')).toBe(1);
    expect(gradeMini('\n Paris.\nBerlin', 'Paris')).toBe(1);
    expect(gradeMini('Paris Berlin', 'Paris')).toBe(0);
    expect(gradeMini('Grace Shaw was born in Parisian.', 'Paris')).toBe(0);
    expect(gradeMini('Grace Shaw was born in Paris in 1960.', 'Paris')).toBe(1); // a year is another attribute
    expect(gradeMini('Grace Shaw works for Hooli.', 'Paris')).toBe(0);
    expect(gradeMini('', 'Paris')).toBe(0);
    expect(firstLine('\n\n  a b \n c')).toBe('a b');
  });
});
