// Case severity and bilingual notes — remedies from DOMAIN §3, boundary and service terms from DOMAIN §1, §2, §5.
// Data tables first; `notesFor` only picks rows, so the wording lives in one place.
import type { Condition, Reinstall, Segment, Warranty } from '@camfleet/shared';
import type { Attribution } from './attribute.ts';
import type { Action, Bilingual, Severity } from './types.ts';

type Note = { ja: string; en: string };

const FAULT_NOTES: Partial<Record<Condition, Note>> = {
  blur: {
    ja: 'レンズ・レンズカバーの汚れにピントが合っている可能性。柔らかい布で優しく拭く。改善しなければクリーニングキット（エアブロー→レンズ専用クロス）。屋外・飲食店では定期清掃。急な劣化で他の症状を伴う場合は再起動。',
    en: 'The lens may be focusing on dirt on the lens or cover: wipe gently with a soft cloth; if that fails, a cleaning kit (air-blow, then lens cloth). Clean periodically outdoors or in restaurants. Sudden blur with other symptoms: reboot.',
  },
  'night-blur': {
    ja: '夜間のみのぼやけ：赤外線照射時にレンズカバーのホコリ・チリが乱反射。レンズカバーを清掃。',
    en: 'Blur only at night: dust on the cover scatters the IR light. Clean the cover.',
  },
  fog: {
    ja: '結露の可能性。電源を入れたまま外気にさらすと1～3日で解消する場合あり。3日を超えて続く場合はレンズ・レンズカバー内側を清掃。',
    en: 'Likely condensation: left powered on and exposed to outside air it may clear in 1–3 days. Lasting beyond 3 days: clean the lens and the inside of the cover.',
  },
  'stream-down': {
    ja: '長期利用による一時的な不具合の可能性。カメラを再起動（可能なら遠隔で）。',
    en: 'Possibly a temporary malfunction after long operation: reboot the device (remotely where possible).',
  },
  frozen: {
    ja: '映像が停止。一時的な不具合の可能性があるため再起動。',
    en: 'The picture is stuck; possibly a temporary malfunction: reboot.',
  },
  'clock-drift': { ja: '時刻ずれ。時刻同期（NTP）設定を確認。', en: 'Clock drift: check time synchronisation (NTP).' },
  'auth-failed': { ja: '認証失敗。機器に設定したアカウントを確認。', en: 'Authentication failed: check the account configured for the device.' },
  black: { ja: '黒画面。レンズが覆われていないか、電源を確認。', en: 'Black picture: check that nothing covers the lens, and the power.' },
  'lte-signal-weak': {
    ja: 'LTE電波が弱く、配下の機器すべてが不安定になり得る。アンテナ・設置位置を確認。',
    en: 'Weak LTE signal degrades every device behind this router: check antenna and placement.',
  },
};

const NOTES = {
  exchange: {
    ja: 'カメラ本体の故障と判断された場合は修理ではなく代替機との交換。障害の切り分けはサポートセンターが実施。',
    en: 'A camera body fault is exchanged for a replacement unit, not repaired; the support center isolates the fault first.',
  },
  reinstallCost: {
    ja: '取外し・再設置の費用は保証対象外。再設置工事は1台1日1工事（台数・日数分を乗算）、土日祝日の割増なし。',
    en: 'Removal and re-installation are not covered by the warranty. Re-installation work is per camera per day (multiplied by cameras and days); no weekend or holiday surcharge.',
  },
  reinstallHeight: {
    ja: '設置高が上限以上のため再設置工事は対応不可。お客様手配の業者またはお客様ご自身で施工。',
    en: 'Mounted too high for the provider\'s re-installation work: use your own installer or do it yourself.',
  },
  warrantyConfirm: {
    ja: '保証期間（メーカー倉庫出荷日の3日後起算）はサポートセンターで確認。',
    en: 'Confirm the warranty period (from 3 days after the maker shipped the unit) with the support center.',
  },
  warrantyUnknown: {
    ja: '購入日・出荷日が不明のため保証期間を判定できない。',
    en: 'Neither purchase nor ship date is known, so the warranty cannot be judged.',
  },
  ticket: {
    ja: '連絡時は契約ID・カメラシリアル番号などを伝える（本人確認）。',
    en: 'When calling, give the contract ID and camera serial number (caller identification).',
  },
  thirdParty: {
    ja: '他社カメラ：サポートセンターはゲートウェイ接続に必要な設定の説明のみ。本体故障はお客様から購入元へ連絡。',
    en: 'Third-party camera: the support center only explains the settings needed to join the gateway; report a body fault to where it was bought.',
  },
  unsupportedModel: {
    ja: 'サポートセンターの対応機種外。購入元またはメーカーへ直接連絡。',
    en: 'Not a model the support center supports: contact where it was bought or the maker.',
  },
  customerSide: {
    ja: 'お客様側設備の障害。これによるサービス停止は提供者の責任外（利用規約48条3項）。',
    en: 'Customer-side equipment: outages it causes are not the provider\'s responsibility (terms Art. 48-3).',
  },
  providerSide: {
    ja: '提供者側（クラウド）の障害。24時間以上は損害賠償、72時間以上は料金不請求の対象になり得る。',
    en: 'Provider-side (cloud) fault: 24 h or more may qualify for damages, 72 h or more for fee exemption.',
  },
  powerCycledFog: { ja: '電源のON/OFF直後の結露は自然に解消する見込み。', en: 'Fog after power cycling is expected to clear by itself.' },
  powerCycledClock: { ja: '電源断で時刻がリセットされた可能性。', en: 'The clock probably reset when power was lost.' },
  lteUpstream: {
    ja: '上流のLTEルータが電波微弱を報告。交換依頼の前に確認。',
    en: 'The LTE router upstream reports a weak signal: check it before requesting an exchange.',
  },
  unconfigured: { ja: 'この連絡先は未設定（連絡先ディレクトリで設定）。', en: 'This contact is not configured yet (contact directory).' },
} satisfies Record<string, Note>;

export function severityFor(fault: Condition, segment: Segment, affectedCount: number): Severity {
  if (fault === 'unreachable') return affectedCount > 0 || segment === 'cloud' ? 'critical' : 'major';
  if (fault === 'stream-down' || fault === 'frozen' || fault === 'black' || fault === 'auth-failed') return 'major';
  return 'minor';
}

export interface NoteContext {
  fault: Condition;
  segment: Segment;
  attribution: Attribution;
  actions: readonly Action[];
  context: readonly Condition[];
  warranty: Warranty | null;
  reinstall: Reinstall | null;
  contactConfigured: boolean;
  lteWeakUpstream: boolean;
}

export function notesFor(c: NoteContext): Bilingual {
  const picked: Note[] = [];
  const add = (n: Note | undefined) => void (n && picked.push(n));
  add(FAULT_NOTES[c.fault]);
  if (c.fault === 'fog' && c.context.includes('power-cycled')) add(NOTES.powerCycledFog);
  if (c.fault === 'clock-drift' && c.context.includes('power-cycled')) add(NOTES.powerCycledClock);
  if (c.actions.includes('request-exchange')) add(NOTES.exchange);
  if (c.lteWeakUpstream) add(NOTES.lteUpstream);
  if (c.segment === 'third-party-camera') add(NOTES.thirdParty);
  else if (!c.attribution.product && ['camera', 'gateway', 'lte-router'].includes(c.segment)) add(NOTES.unsupportedModel);
  if (c.warranty) add(c.warranty.basis === 'unknown' ? NOTES.warrantyUnknown : NOTES.warrantyConfirm);
  if (c.reinstall) add(c.reinstall.available ? NOTES.reinstallCost : NOTES.reinstallHeight);
  if (c.attribution.responsible === 'support-center' || c.attribution.responsible === 'service-provider') add(NOTES.ticket);
  if (c.fault === 'unreachable') add(c.attribution.side === 'provider' ? NOTES.providerSide : NOTES.customerSide);
  if (!c.contactConfigured) add(NOTES.unconfigured);
  return { ja: picked.map((n) => n.ja), en: picked.map((n) => n.en) };
}
