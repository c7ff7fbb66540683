// Exchange flows with expected dates (DOMAIN §2.1–2.4) and the contact directory (DOMAIN §1).
import { describe, expect, it } from 'vitest';
import { CONTACT_ACTION, EXAMPLE_CONTACTS } from './contacts.ts';
import { PAID_JUDGEMENT_RISKS, exchangeGuidance } from './exchange.ts';

const step = (g: ReturnType<typeof exchangeGuidance>, flow: string, id: string) =>
  g.flows.find((f) => f.id === flow)?.steps.find((s) => s.id === id);

describe('exchangeGuidance', () => {
  it('in warranty: advance replacement and send-back first, dated in business days across Golden Week', () => {
    const g = exchangeGuidance('2026-04-28', true);
    expect(g.flows.map((f) => f.id)).toEqual(['advance-replacement', 'send-back-first']);
    expect(step(g, 'advance-replacement', 'replacement-arrives')?.expectedDate).toBe('2026-05-07');
    expect(step(g, 'advance-replacement', 'return-faulty-unit')).toMatchObject({ shippingPaidBy: 'maker', expectedDate: null });
    expect(step(g, 'send-back-first', 'shipping-details')?.expectedDate).toBe('2026-05-01');
    expect(step(g, 'send-back-first', 'ship-faulty-unit')?.shippingPaidBy).toBe('customer');
    expect(step(g, 'send-back-first', 'judgement')).toMatchObject({ businessDays: 3, expectedDate: null });
    expect(g.flows[1]?.cameraInHandBy).toEqual({ earliest: '2026-05-12', latest: '2026-05-14' });
    expect(g.flows[0]?.cameraInHandBy).toEqual({ earliest: '2026-05-07', latest: '2026-05-07' });
  });

  it('out of warranty: paid exchange (6–8 business days) or new purchase (at least 10)', () => {
    const g = exchangeGuidance('2026-04-28', false);
    expect(g.flows.map((f) => f.id)).toEqual(['paid-exchange', 'new-purchase']);
    expect(g.flows[0]?.cameraInHandBy).toEqual({ earliest: '2026-05-12', latest: '2026-05-14' });
    expect(g.flows[1]?.cameraInHandBy).toEqual({ earliest: '2026-05-18', latest: null });
  });

  it('unknown warranty: all four flows; closures move the dates', () => {
    expect(exchangeGuidance('2026-12-28', null).flows).toHaveLength(4);
    const g = exchangeGuidance('2026-12-28', true, { closures: ['2026-12-29', '2026-12-30', '2026-12-31'] });
    expect(step(g, 'advance-replacement', 'replacement-arrives')?.expectedDate).toBe('2027-01-06');
  });

  it('lists the grounds for a paid judgement in Japanese and English', () => {
    expect(PAID_JUDGEMENT_RISKS).toHaveLength(8);
    expect(PAID_JUDGEMENT_RISKS.map((r) => r.ja)).toContain('浸水');
    expect(PAID_JUDGEMENT_RISKS.every((r) => r.en.length > 0)).toBe(true);
  });
});

describe('contact directory', () => {
  it('the example profile carries the support center of the seed', () => {
    const sc = EXAMPLE_CONTACTS.contacts['support-center'];
    expect(sc).toMatchObject({ phone: '0120-511-244', email: 'support_gigacam-ml@east.ntt.co.jp', configured: true });
    expect(sc.hours?.ja).toBe('9:00～21:00、年中無休');
    expect(EXAMPLE_CONTACTS.contacts['service-provider'].phone).toBe('0120-511-244');
    expect(EXAMPLE_CONTACTS.contacts['line-carrier'].configured).toBe(false);
    expect(EXAMPLE_CONTACTS.contacts['purchase-vendor'].configured).toBe(false);
    expect(CONTACT_ACTION['service-provider']).toBe('contact-support-center');
  });
});
