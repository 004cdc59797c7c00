// chrF as sacreBLEU 2.x computes it. Every expected number is copied from sacreBLEU's own tests,
// mjpost/sacrebleu test/test_chrf.py (2.x, commit 0dca9d48): test_cases_effective_order (β 3, the
// default effective-order average), test_cases (β 3, eps_smoothing=True), test_cases_keep_whitespace
// (β 3, whitespace kept) and test_sentence_level_chrf (β 2, eps_smoothing=True); EPSILON 1e-4 as there.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { corpusChrf } from '../../src/engine/analysis/chrf';

const EPSILON = 1e-4;
const near = (got: number, want: number, what: string) =>
  assert.ok(Math.abs(got - want) < EPSILON, `${what}: chrF ${got}, sacreBLEU ${want}`);

describe('chrF as sacreBLEU', () => {
  test('effective-order average (sacreBLEU 2.x default smoothing), β 3', () => {
    const cases: [string[], string[], number][] = [
      [['a'], ['a'], 100.0],
      [[''], ['reference'], 0.0],
      [['a b c'], ['a b c'], 100.0],
      [['a b c'], ['abc'], 100.0], // whitespace is removed before counting
      [[''], ['c'], 0.0],
      [['a', 'b'], ['a', 'c'], 50.0], // corpus statistics are summed, then one F-score
      [['aa'], ['ab'], 25.0],
    ];
    for (const [h, r, want] of cases) near(corpusChrf(h, [r], { beta: 3 }), want, JSON.stringify([h, r]));
  });

  test('eps smoothing, β 3 (sacreBLEU test_cases)', () => {
    const cases: [string[], string[], number][] = [
      [['abcdefg'], ['hijklmnop'], 0.0],
      [['a'], ['b'], 0.0],
      [[''], ['b'], 0.0],
      [['aa'], ['ab'], 8.3333],
      [['a', 'b'], ['a', 'c'], 8.3333],
      [['a'], ['a'], 16.6667],
      [['a b c'], ['a b c'], 50.0],
      [
        [
          ' risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .',
        ],
        [
          'risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .',
        ],
        63.36173,
      ],
      [
        [' Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. '],
        ['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.'],
        64.1302698,
      ],
      [
        ['Niemand hat die Absicht, eine Mauer zu errichten'],
        ['Niemand hat die Absicht, eine Mauer zu errichten'],
        100.0,
      ],
    ];
    for (const [h, r, want] of cases)
      near(corpusChrf(h, [r], { beta: 3, epsSmoothing: true }), want, JSON.stringify([h, r]));
  });

  test('whitespace kept, β 3', () => {
    near(
      corpusChrf(
        ['Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.'],
        [['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.']],
        { beta: 3, whitespace: true },
      ),
      67.3481606,
      'Obama',
    );
  });

  test('sentence level with β 2 (the default β), eps smoothing', () => {
    const cases: [string, string, number][] = [
      [
        'Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.',
        'Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.',
        39.14078509,
      ],
      [
        'Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.',
        'A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.',
        31.22557079,
      ],
      [
        'Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.',
        'Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.',
        57.15704367,
      ],
    ];
    for (const [h, r, want] of cases) near(corpusChrf([h], [[r]], { epsSmoothing: true }), want, h);
  });

  test('defaults (order 6, β 2, effective order); Chinese counts characters; empty output; mismatched lengths', () => {
    // an exact output is 100, a half-right Chinese line is between, an empty output is 0
    assert.equal(corpusChrf(['床前明月光'], [['床前明月光']]), 100);
    const half = corpusChrf(['床前明月光'], [['床前看月光']]);
    assert.ok(half > 20 && half < 80, `${half}`);
    assert.equal(corpusChrf([''], [['疑是地上霜']]), 0);
    assert.equal(corpusChrf([], [[]]), 0);
    // β 2 weighs recall: a short right output scores below a long one with the same precision
    assert.ok(corpusChrf(['abc'], [['abcdef']]) < corpusChrf(['abcdefxyz'], [['abcdef']]));
    assert.throws(() => corpusChrf(['a', 'b'], [['a']]), /2 outputs but 1 references/);
  });
});
