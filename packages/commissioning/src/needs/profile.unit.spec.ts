import type { Need } from '@placements/contracts';
import { describe, expect, it } from 'vitest';
import { needBandOf, needCells, needProfileOf } from './profile.ts';

const need = (domain: Need['domain'], intensity: Need['intensity']) => ({ domain, intensity });

describe('need profiles', () => {
  it('puts a referral under the profile of its highest-intensity need, the more specialist on a tie', () => {
    expect(needProfileOf([need('emotional-behavioural', 'high'), need('autism', 'medium')])).toBe(
      'behaviour',
    );
    expect(needProfileOf([need('emotional-behavioural', 'high'), need('sexual-exploitation', 'high')])).toBe(
      'exploitation',
    );
    expect(needProfileOf([need('education', 'low'), need('harmful-sexual-behaviour', 'low')])).toBe(
      'harmful-sexual-behaviour',
    );
    expect(needProfileOf([])).toBe('other');
  });

  it('bands a referral by its highest intensity', () => {
    expect(needBandOf([need('health', 'low'), need('self-harm', 'medium')])).toBe('medium');
    expect(needBandOf([])).toBe('low');
  });

  it('has a cell for every domain at every intensity', () => {
    expect(needCells).toHaveLength(45);
  });
});
