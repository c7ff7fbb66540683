// Maintenance-contract terms [保守契約] — DOMAIN §4.1–4.3 (seeds 001 i-PRO, 002 Panasonic, 003 NEC) as data, and
// the status of one device's contract on a case date. A device names its contract in `maintenanceContract`; the
// pack length (Panasonic 3/4/5, NEC 1/3/5/7 years) may be given as `maintenanceYears` — without it the end date is
// unknown and the case says so.
import { addBusinessDays, type BusinessCalendar } from './business-days.ts';
import { addDays, addYears, jstDate, type IsoDate } from './dates.ts';

interface Text { ja: string; en: string }

export type MaintenanceContractId = 'ipro-partner' | 'panasonic-onsite' | 'panasonic-sendback' | 'nec-supportpack';

export interface MaintenanceTerms extends Text {
  id: MaintenanceContractId;
  maker: 'i-PRO' | 'Panasonic' | 'NEC';
  /** Which device date the coverage counts from. */
  countsFrom: 'delivery-date' | 'purchase-date';
  /** Pack lengths the maker sells, in years (total, free warranty included). */
  years: readonly number[];
  hours: Text;
  response: Text;
  /** Business days from the request to the promised step, when the terms give one. */
  responseBusinessDays?: number;
  covers: readonly Text[];
  exclusions: readonly (Text & { id: string })[];
  notes: readonly Text[];
  /** Same failure from the same cause within this many months of a repair is redone free (NEC, DOMAIN §4.3). */
  freeRedoWithinMonths?: number;
}

const DISASTER = { id: 'disaster', ja: '火災・地震・水害・落雷等の天災地変', en: 'Fire, earthquake, flood, lightning and other disasters' };
const ENVIRONMENT = { id: 'environment', ja: '公害・塩害・ガス害・異常電圧', en: 'Pollution, salt damage, gas, abnormal voltage' };
const MISUSE = { id: 'misuse', ja: '不適切な使用・改造', en: 'Improper use or modification' };

const PANASONIC_COMMON = {
  maker: 'Panasonic' as const,
  countsFrom: 'purchase-date' as const,
  years: [3, 4, 5],
  hours: { ja: '月～金 9:00～17:30（土日祝・弊社特定休日〔GW・夏季・年末年始〕を除く）', en: 'Mon–Fri 9:00–17:30, except weekends, public holidays and company holidays (Golden Week, summer, year end)' },
  exclusions: [
    DISASTER, ENVIRONMENT, MISUSE,
    { id: 'settings', ja: '設定環境に起因する故障・設定情報の復旧', en: 'Failures caused by settings; restoring settings' },
    { id: 'firmware', ja: 'ファームウェアバージョンアップ作業', en: 'Firmware update work' },
    { id: 'other-makers', ja: '他社製品', en: 'Other makers\' products' },
    { id: 'above-3m', ja: '3mを超える設置品', en: 'Installations above 3 m' },
    { id: 'network', ja: 'ネットワーク環境による不具合', en: 'Failures caused by the network environment' },
    { id: 'recorded-data', ja: '録画データの保証', en: 'Recorded data' },
  ],
  notes: [
    { ja: '無償保証期間を含む3・4・5年パック（単年延長なし）。運用開始後1ヶ月以内の申込み。日本国内限定（離島除く）。', en: '3-, 4- or 5-year pack including the free warranty (no single-year extension); apply within 1 month of operation start. Japan only, no remote islands.' },
    { ja: '4・5年パックは3年経過前後に消耗部品（FAN・HDD）交換1回。', en: '4/5-year packs: one consumables replacement (fan, HDD) around year 3.' },
  ],
};

export const MAINTENANCE_TERMS: Readonly<Record<MaintenanceContractId, MaintenanceTerms>> = {
  'ipro-partner': {
    id: 'ipro-partner', maker: 'i-PRO',
    ja: 'i-PRO パートナーズサークル5年ハードウェア保証', en: 'i-PRO Partners Circle 5-year hardware warranty',
    countsFrom: 'delivery-date', years: [5],
    hours: { ja: 'i-PRO Webサイト「お問い合わせ」（パートナー経由）', en: 'i-PRO web contact form, through the partner' },
    response: { ja: 'カメラは代替品交換または引き取り修理（品番による）。故障機の送料はパートナー負担、修理品の返送はi-PRO負担。', en: 'Cameras: replacement unit or pick-up repair (depends on the model). The partner pays shipping of the faulty unit; i-PRO pays the return.' },
    covers: [
      { ja: '納品日から1年間は製品保証、その後4年間（計5年）の無料修理。', en: 'Product warranty for 1 year from delivery, then 4 more years (5 in total) of free repair.' },
      { ja: 'レコーダーは引き取り修理（HDD除く）。', en: 'Recorders: pick-up repair (HDD excluded).' },
    ],
    exclusions: [
      MISUSE,
      { id: 'manual', ja: '取扱説明書に従わない使用', en: 'Not following the manual' },
      { id: 'relocation', ja: '納品後の移設・輸送・落下', en: 'Relocation, transport or drop after delivery' },
      DISASTER, ENVIRONMENT,
      { id: 'power-supply', ja: '指定外の電源', en: 'Unspecified power supply' },
      { id: 'connected-equipment', ja: '他の接続機器に起因する故障', en: 'Damage caused by other connected equipment' },
      { id: 'downtime', ja: 'システム停止による損害・データ消失', en: 'Losses from system downtime; data loss' },
      { id: 'work-at-height', ja: '高所の取外し・取付け工事', en: 'Work at height for removal or installation' },
    ],
    notes: [
      { ja: '納品日を証明する書類が必要。エンドユーザーは直接依頼できず、パートナー経由。日本国内限定。', en: 'Proof of the delivery date is required; end users request repair through the partner, not directly. Japan only.' },
      { ja: '保証期間後は有償修理。金具・SDカード等は修理不可（新規購入）。', en: 'After the warranty: paid repair. Mounts, SD cards etc. cannot be repaired (buy new).' },
    ],
  },
  'panasonic-onsite': {
    ...PANASONIC_COMMON,
    id: 'panasonic-onsite', ja: 'パナソニック i-PRO EXTREME 保守サービスパック（オンサイト）', en: 'Panasonic i-PRO EXTREME maintenance pack (on-site)',
    response: { ja: '修理受付後、翌々営業日以内に訪問（修理完了の約束ではない）。', en: 'A technician visits within two business days of the repair request (a visit, not completion).' },
    responseBusinessDays: 2,
    covers: [{ ja: '交換部品代・技術料・出張費を含む。', en: 'Parts, labour and travel included.' }],
  },
  'panasonic-sendback': {
    ...PANASONIC_COMMON,
    id: 'panasonic-sendback', ja: 'パナソニック i-PRO EXTREME 保守サービスパック（センドバック）', en: 'Panasonic i-PRO EXTREME maintenance pack (send-back)',
    response: { ja: '修理品と確認シート到着後4営業日以内に修理完了・発送（送料は双方負担）。', en: 'Repaired and shipped within 4 business days after the unit and check sheet arrive; each side pays one shipping leg.' },
    covers: [{ ja: '交換部品代・技術料・返却送料を含む。', en: 'Parts, labour and return shipping included.' }],
  },
  'nec-supportpack': {
    id: 'nec-supportpack', maker: 'NEC',
    ja: 'NEC SupportPack（ハードウェア保守）', en: 'NEC SupportPack (hardware maintenance)',
    countsFrom: 'purchase-date', years: [1, 3, 5, 7],
    hours: { ja: '平日 8:30～17:30（ハードウェアは祝日含む）または 24時間365日（契約による）', en: 'Weekdays 8:30–17:30 (hardware including holidays), or 24 h × 365 d, by contract' },
    response: { ja: 'NECが修理必要と判断してから2時間以内を目安に技術者を派遣（サービス時間内）。', en: 'A technician is dispatched within about 2 hours once NEC judges a repair is needed (within service hours).' },
    covers: [
      { ja: 'エクスプレス通報サービス：機器のアラームを24時間365日監視し、保守時間内にお客様へ連絡、同時に技術者を手配。', en: 'Alarm notification service: device alarms watched 24 h × 365 d; NEC phones the customer within maintenance hours and arranges the technician at the same time.' },
      { ja: '修理後3ヶ月以内に同一原因で同一障害が再発した場合は無償で再修理。', en: 'The same failure from the same cause within 3 months after a repair is redone free.' },
    ],
    exclusions: [
      { id: 'network-isolation', ja: 'ネットワーク障害の切り分け・障害機器の特定（お客様作業）', en: 'Network fault isolation and identifying the failed device on the network (the customer\'s work)' },
      DISASTER, MISUSE,
    ],
    notes: [
      { ja: '時間外作業料（技術者1名1回）：8:30～17:30 10,000円＋2,500円/15分、17:30～21:00 12,000円＋3,000円/15分、21:00～8:30 14,000円＋3,500円/15分。', en: 'Out-of-hours fees per technician per visit: 8:30–17:30 ¥10,000 + ¥2,500 per 15 min; 17:30–21:00 ¥12,000 + ¥3,000; 21:00–8:30 ¥14,000 + ¥3,500.' },
      { ja: '補修部品は製造終了後5年間保有。', en: 'Parts are kept 5 years after production ends.' },
    ],
    freeRedoWithinMonths: 3,
  },
};

export interface MaintenanceDevice {
  maintenanceContract?: string | undefined;
  purchaseDate?: string | undefined;
  shipDate?: string | undefined;
  mountHeightM?: number | undefined;
  /** Pack length in years, when the inventory says (an extra device field). */
  maintenanceYears?: unknown;
}

export interface MaintenanceStatus {
  contract: MaintenanceContractId;
  terms: MaintenanceTerms;
  years: number | null;
  /** First and last covered day; null when the counted date or the pack length is unknown. */
  start: IsoDate | null;
  end: IsoDate | null;
  /** Covered on the case date; null when it cannot be judged. */
  active: boolean | null;
  /** The date the terms promise the next step by, counted in business days from the case date. */
  respondBy: IsoDate | null;
  /** Exclusions that apply to this device or fault. */
  applies: (Text & { id: string })[];
}

/** The device's maintenance contract on the Japan calendar date of `at`, or null when it has none. */
export function maintenanceFor(
  device: MaintenanceDevice,
  at: string | Date | number,
  ctx: { networkFault?: boolean; calendar?: BusinessCalendar } = {},
): MaintenanceStatus | null {
  const id = device.maintenanceContract;
  if (!id || !Object.hasOwn(MAINTENANCE_TERMS, id)) return null;
  const terms = MAINTENANCE_TERMS[id as MaintenanceContractId];
  const given = typeof device.maintenanceYears === 'number' && terms.years.includes(device.maintenanceYears) ? device.maintenanceYears : null;
  const years = given ?? (terms.years.length === 1 ? terms.years[0]! : null);
  const counted = terms.countsFrom === 'delivery-date' ? device.purchaseDate ?? device.shipDate : device.purchaseDate;
  const today = jstDate(at);
  // i-PRO: the 1-year product warranty and the 4-year partner warranty together cover 5 years from delivery.
  const start = counted ?? null;
  const end = counted && years !== null ? addDays(addYears(counted, years), -1) : null;
  const active = start === null ? null : today < start ? false : end === null ? null : today <= end;
  const applies = terms.exclusions.filter((e) =>
    (e.id === 'above-3m' && (device.mountHeightM ?? 0) > 3)
    || ((e.id === 'network' || e.id === 'network-isolation') && ctx.networkFault === true));
  const respondBy = terms.responseBusinessDays !== undefined ? addBusinessDays(today, terms.responseBusinessDays, ctx.calendar) : null;
  return { contract: terms.id, terms, years, start, end, active, respondBy, applies };
}
