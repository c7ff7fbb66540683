// Camera exchange guidance [故障交換] — DOMAIN §2.1–2.4 (seed 000 p.5–7). A faulty camera is exchanged for a
// replacement unit, never repaired. Durations are the seed's "about N business days"; dates are computed only for
// steps counted from the request (or order) — the customer's own shipping has no standard duration.
import { addBusinessDays, type BusinessCalendar } from './business-days.ts';
import type { IsoDate } from './dates.ts';

export type ExchangeFlowId = 'advance-replacement' | 'send-back-first' | 'paid-exchange' | 'new-purchase';
export type StepAnchor = 'request' | 'faulty-unit-at-maker' | 'judgement' | 'order';

interface Text { ja: string; en: string }

export interface ExchangeStepSpec extends Text {
  id: string;
  /** Standard duration in business days after the anchor; null when the seed gives none. */
  businessDays: number | null;
  countedFrom: StepAnchor;
  /** Who pays the shipping of this leg, where the seed says. */
  shippingPaidBy?: 'maker' | 'customer';
}

export interface ExchangeFlowSpec extends Text {
  id: ExchangeFlowId;
  handledBy: 'support-center' | 'sales';
  steps: readonly ExchangeStepSpec[];
  /** Standard business days from request (order) to the camera in hand; max null = "at least" (DOMAIN §2.4). */
  cameraInHand: { min: number; max: number | null };
  notes: readonly Text[];
}

export const EXCHANGE_FLOWS: Readonly<Record<ExchangeFlowId, ExchangeFlowSpec>> = {
  'advance-replacement': {
    id: 'advance-replacement', ja: '先出し送り返', en: 'Advance replacement', handledBy: 'support-center',
    steps: [
      { id: 'replacement-arrives', businessDays: 3, countedFrom: 'request',
        ja: '代替機がご指定の宛先に到着', en: 'Replacement unit arrives at the given address' },
      { id: 'return-faulty-unit', businessDays: null, countedFrom: 'request', shippingPaidBy: 'maker',
        ja: '交換後、同封の着払い伝票で故障機をメーカーへ送付', en: 'After the swap, ship the faulty unit to the maker with the enclosed carrier-collect slip' },
      { id: 'judgement', businessDays: 3, countedFrom: 'faulty-unit-at-maker',
        ja: 'メーカー到着から有償/無償の判定', en: 'Maker judges free or paid after the unit arrives' },
    ],
    cameraInHand: { min: 3, max: 3 },
    notes: [{
      ja: 'お客様責任と判定された場合、保証期間内でも代替機の費用が請求される（事前合意が条件）。',
      en: 'If judged customer-caused, the replacement is billed even within warranty (agreed before shipping).',
    }],
  },
  'send-back-first': {
    id: 'send-back-first', ja: '後出し送り返', en: 'Send-back first', handledBy: 'support-center',
    steps: [
      { id: 'shipping-details', businessDays: 2, countedFrom: 'request',
        ja: '送付先情報（伝票の管理番号）のご連絡', en: 'Shipping details (slip management number) sent to the customer' },
      { id: 'ship-faulty-unit', businessDays: null, countedFrom: 'request', shippingPaidBy: 'customer',
        ja: '故障機を取り外し、送料お客様負担でメーカーへ送付', en: 'Remove the faulty unit and ship it to the maker at the customer\'s expense' },
      { id: 'judgement', businessDays: 3, countedFrom: 'faulty-unit-at-maker',
        ja: 'メーカー到着から有償/無償の判定', en: 'Maker judges free or paid after the unit arrives' },
      { id: 'replacement-arrives', businessDays: 3, countedFrom: 'judgement',
        ja: '無償判定：代替機が到着、到着次第交換工事', en: 'If free: replacement arrives, then re-installation' },
    ],
    cameraInHand: { min: 6, max: 8 },
    notes: [{
      ja: '有償判定の場合は有償交換か新品購入を選択。',
      en: 'If judged paid: choose a paid exchange or a new purchase.',
    }],
  },
  'paid-exchange': {
    id: 'paid-exchange', ja: '有償交換', en: 'Paid exchange', handledBy: 'support-center',
    steps: [{ id: 'camera-in-hand', businessDays: 6, countedFrom: 'request',
      ja: '同型番の代替機が到着（約6～8営業日）', en: 'Replacement of the same model number arrives (about 6–8 business days)' }],
    cameraInHand: { min: 6, max: 8 },
    notes: [
      { ja: '機器費は新品価格より割安（ただし半額以上）。概算はサポートセンターが案内。', en: 'Cheaper than new but at least half the new price; the support center quotes it.' },
      { ja: '故障機の保証期間が継続される。', en: 'The failed unit\'s warranty period continues.' },
      { ja: '在庫切れの場合は後継・同等機種（画角・消費電力が変わる場合あり）。', en: 'If out of stock, a successor or equivalent model (view angle or power draw may differ).' },
    ],
  },
  'new-purchase': {
    id: 'new-purchase', ja: '新品購入', en: 'New purchase', handledBy: 'sales',
    steps: [{ id: 'camera-in-hand', businessDays: 10, countedFrom: 'order',
      ja: 'お申込みから最短約10営業日で到着', en: 'Arrives at least about 10 business days after the order' }],
    cameraInHand: { min: 10, max: null },
    notes: [
      { ja: '営業担当・Webストア・電話等で申込み。最新ラインナップから選択可能。', en: 'Ordered through the sales rep, web store or phone; any current model.' },
      { ja: '新規購入機器の保証期間が適用される。', en: 'The new unit carries its own new warranty.' },
    ],
  },
};

/** Grounds for a paid judgement [有償判定], maker warranty exclusions — DOMAIN §2.3. */
export const PAID_JUDGEMENT_RISKS: readonly (Text & { id: string })[] = [
  { id: 'natural-disaster', ja: '地震、津波、噴火、台風及び洪水等の自然災害', en: 'Natural disaster (earthquake, tsunami, eruption, typhoon, flood)' },
  { id: 'salt-or-corrosive-gas', ja: '塩害、腐食性ガスが発生する環境での使用', en: 'Use where there is salt damage or corrosive gas' },
  { id: 'water-ingress', ja: '浸水', en: 'Water ingress' },
  { id: 'user-negligence', ja: 'ユーザ過失と認められる故障', en: 'Failure found to be the user\'s negligence' },
  { id: 'physical-damage', ja: '目視可能な物理破損', en: 'Visible physical damage' },
  { id: 'changed-appearance', ja: '製品の外観の変更（書き込み、塗装、コーキング材の付着等）', en: 'Changed appearance (writing, paint, caulking on the housing)' },
  { id: 'disassembly-or-modification', ja: '分解・改造', en: 'Disassembly or modification' },
  { id: 'missing-accessories', ja: 'メーカーへの送付が必要な付属品の欠損', en: 'Missing accessories that must be sent to the maker' },
];

export interface ExchangeStep extends ExchangeStepSpec {
  /** Set for steps counted from the request/order; null where the date depends on the customer's shipping. */
  expectedDate: IsoDate | null;
}

export interface ExchangeFlow extends Omit<ExchangeFlowSpec, 'steps'> {
  steps: ExchangeStep[];
  cameraInHandBy: { earliest: IsoDate; latest: IsoDate | null };
}

export interface ExchangeGuidance {
  requestDate: IsoDate;
  inWarranty: boolean | null;
  flows: ExchangeFlow[];
  paidJudgementRisks: typeof PAID_JUDGEMENT_RISKS;
  /** Removal and re-installation are never covered by the equipment warranty (DOMAIN §2.6). */
  reinstallNotCovered: Text;
}

/** In warranty: the two send-back flows; out: paid exchange or new purchase; unknown: all four (DOMAIN §2.1–2.2). */
export function flowsFor(inWarranty: boolean | null): ExchangeFlowId[] {
  if (inWarranty === true) return ['advance-replacement', 'send-back-first'];
  if (inWarranty === false) return ['paid-exchange', 'new-purchase'];
  return ['advance-replacement', 'send-back-first', 'paid-exchange', 'new-purchase'];
}

export function exchangeGuidance(
  requestDate: IsoDate,
  inWarranty: boolean | null,
  calendar?: BusinessCalendar,
): ExchangeGuidance {
  const flows = flowsFor(inWarranty).map((id): ExchangeFlow => {
    const spec = EXCHANGE_FLOWS[id];
    const steps = spec.steps.map((s): ExchangeStep => ({
      ...s,
      expectedDate: (s.countedFrom === 'request' || s.countedFrom === 'order') && s.businessDays !== null
        ? addBusinessDays(requestDate, s.businessDays, calendar)
        : null,
    }));
    const { min, max } = spec.cameraInHand;
    return {
      ...spec,
      steps,
      cameraInHandBy: {
        earliest: addBusinessDays(requestDate, min, calendar),
        latest: max === null ? null : addBusinessDays(requestDate, max, calendar),
      },
    };
  });
  return {
    requestDate,
    inWarranty,
    flows,
    paidJudgementRisks: PAID_JUDGEMENT_RISKS,
    reinstallNotCovered: {
      ja: 'カメラ交換に伴う工事（取外しおよび再設置）費用は機器の保証範囲に含まれない。',
      en: 'Removal and re-installation labour is not covered by the equipment warranty.',
    },
  };
}
