// Message text shared by the notifiers: a headline per event and a ticket block per case, in Japanese and English.
// The ticket carries the identity fields the support center asks for (DOMAIN §1): contract ID, camera serial numbers,
// installation address, site name.
import type { CaseRecord, SiteSpec } from '@camfleet/shared';
import type { GroupedEvent, NotificationGroup } from './types.ts';

const KIND = {
  opened: { ja: '障害発生', en: 'Case opened' },
  resolved: { ja: '復旧', en: 'Resolved' },
};

const PARTY = {
  'line-carrier': { ja: '回線業者', en: 'line carrier' },
  'purchase-vendor': { ja: '購入元', en: 'where it was bought' },
  'support-center': { ja: 'サポートセンター', en: 'support center' },
  'service-provider': { ja: 'サービス提供者', en: 'service provider' },
};

const SIDE = { customer: { ja: 'お客様側', en: 'customer side' }, provider: { ja: '提供者側', en: 'provider side' } };

type Lang = 'ja' | 'en';

const ACTION: Record<string, { ja: string; en: string }> = {
  'contact-line-carrier': { ja: '回線業者へ連絡', en: 'call the line carrier' },
  'contact-purchase-vendor': { ja: '購入元へ連絡', en: 'call where it was bought' },
  'contact-support-center': { ja: 'サポートセンターへ連絡', en: 'call the support center' },
  'clean-lens': { ja: 'レンズ清掃', en: 'clean the lens' },
  'clean-cover': { ja: 'レンズカバー清掃', en: 'clean the cover' },
  'wait-condensation': { ja: '結露の解消を待つ（1～3日）', en: 'wait for the condensation to clear (1–3 days)' },
  reboot: { ja: '再起動', en: 'reboot' },
  'request-exchange': { ja: '交換を依頼', en: 'request an exchange' },
  'check-line': { ja: '回線を確認', en: 'check the line' },
  'check-router': { ja: 'ルータを確認', en: 'check the router' },
  'check-power': { ja: '電源を確認', en: 'check the power' },
  'check-gateway': { ja: 'ゲートウェイを確認', en: 'check the gateway' },
};

/** Japan time for people: 2026-11-24 10:00 JST. */
export function jst(isoTime: string): string {
  const ms = Date.parse(isoTime);
  if (!Number.isFinite(ms)) return isoTime;
  return `${new Date(ms + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')} JST`;
}

function what(c: CaseRecord, lang: Lang): string {
  if (c.fault === 'agent-offline') return lang === 'ja' ? 'エージェント通信途絶（拠点状態不明）' : 'agent offline (site state unknown)';
  return `${c.rootCause}${c.segment ? ` (${c.segment})` : ''}: ${c.fault}`;
}

function whom(c: CaseRecord, lang: Lang): string {
  const found = c.afterTheFact?.responsible ?? c.responsible;
  return found ? PARTY[found][lang] : lang === 'ja' ? '未特定（確認順：回線・ルータ・電源・ゲートウェイ）' : 'to be found (check line, router, power, gateway)';
}

/** One line per event: "障害発生 #12 onu (onu): unreachable → 回線業者". */
export function headline(e: GroupedEvent, lang: Lang): string {
  const flags = [e.case.flapping ? (lang === 'ja' ? 'フラッピング' : 'flapping') : '', e.case.recurrenceOf ? (lang === 'ja' ? `再発（#${e.case.recurrenceOf}）` : `recurrence of #${e.case.recurrenceOf}`) : '']
    .filter(Boolean);
  return `${KIND[e.kind][lang]} #${e.case.id} ${what(e.case, lang)} → ${whom(e.case, lang)}${flags.length ? ` [${flags.join(', ')}]` : ''}`;
}

/** Serial numbers of the cameras a case concerns: its root device and the cameras it takes down. */
export function cameraSerials(c: CaseRecord, spec: SiteSpec | undefined): string[] {
  const ids = new Set([c.rootCause, ...c.affected]);
  const serials = (spec?.devices ?? [])
    .filter((d) => ids.has(d.id) && (d.segment === 'camera' || d.segment === 'third-party-camera') && d.serial)
    .map((d) => `${d.id}=${d.serial}`);
  if (c.ticket.serial && !serials.some((s) => s.endsWith(`=${c.ticket.serial}`))) serials.unshift(`${c.rootCause}=${c.ticket.serial}`);
  return serials;
}

export function subject(g: NotificationGroup): string {
  const site = g.site.name ? `${g.site.name} (${g.site.id})` : g.site.id;
  const [only] = g.events;
  if (g.events.length === 1 && only) return `[camfleet] ${site}: ${headline(only, 'ja')} / ${headline(only, 'en')}`;
  const opened = g.events.filter((e) => e.kind === 'opened').length;
  const resolved = g.events.length - opened;
  return `[camfleet] ${site}: 障害発生${opened}件・復旧${resolved}件 / ${opened} opened, ${resolved} resolved`;
}

function caseBlock(e: GroupedEvent, g: NotificationGroup, lang: Lang): string[] {
  const c = e.case;
  const ja = lang === 'ja';
  const none = '—';
  const lines = [`■ ${headline(e, lang)}`];
  lines.push(`  ${ja ? '重要度' : 'Severity'}: ${c.severity} / ${SIDE[c.side][lang]}${c.siteWide ? (ja ? '（拠点全体が利用不可）' : ' (site completely unusable)') : ''}`);
  if (c.contact) {
    const how = [c.contact.phone, c.contact.email, c.contact.hours?.[lang]].filter(Boolean).join(' / ');
    lines.push(`  ${ja ? '連絡先' : 'Contact'}: ${c.contact.name[lang]}${how ? ` — ${how}` : ''}`);
  }
  lines.push(`  ${ja ? '影響機器' : 'Affected'}: ${c.affected.length ? c.affected.join(', ') : none}`);
  lines.push(`  ${ja ? '推奨対応' : 'Actions'}: ${c.actions.map((a) => ACTION[a]?.[lang] ?? a).join(ja ? '、' : ', ') || none}`);
  lines.push(`  ${ja ? '契約ID' : 'Contract ID'}: ${c.ticket.contractId ?? none}`);
  lines.push(`  ${ja ? 'カメラシリアル番号' : 'Camera serial'}: ${cameraSerials(c, g.spec).join(', ') || none}`);
  lines.push(`  ${ja ? '設置住所' : 'Site address'}: ${c.ticket.siteAddress ?? none}`);
  if (c.warranty) {
    const w = c.warranty;
    lines.push(`  ${ja ? '保証' : 'Warranty'}: ${w.basis === 'unknown' ? (ja ? '不明' : 'unknown') : `${w.start} – ${w.end} (${w.inWarranty ? (ja ? '保証期間内' : 'in warranty') : (ja ? '保証期間外' : 'out of warranty')})`}`);
  }
  if (c.reinstall) {
    lines.push(`  ${ja ? '再設置工事' : 'Re-installation'}: ${c.reinstall.available
      ? `${c.reinstall.costYen.toLocaleString('ja-JP')}${ja ? '円/台（税込）' : ' yen per camera (tax incl.)'}`
      : ja ? '設置高のため対応不可' : 'not available at this height'}`);
  }
  for (const f of c.exchange?.flows ?? []) {
    const by = f.cameraInHandBy.latest && f.cameraInHandBy.latest !== f.cameraInHandBy.earliest
      ? `${f.cameraInHandBy.earliest} – ${f.cameraInHandBy.latest}` : `${f.cameraInHandBy.earliest}${f.cameraInHandBy.latest ? '' : ja ? '以降' : ' or later'}`;
    lines.push(`  ${ja ? '交換' : 'Exchange'}: ${f[lang]} — ${ja ? 'カメラ到着見込み' : 'camera in hand'} ${by}`);
  }
  if (c.maintenance) {
    const m = c.maintenance;
    const state = m.active === true ? (ja ? '契約期間内' : 'in force') : m.active === false ? (ja ? '契約期間外' : 'expired') : (ja ? '期間不明' : 'period unknown');
    lines.push(`  ${ja ? '保守契約' : 'Maintenance contract'}: ${m.terms[lang]} (${state}) — ${m.terms.response[lang]}`);
  }
  if (c.afterTheFact) lines.push(`  ${ja ? '事後判明' : 'Found afterwards'}: ${c.afterTheFact.summary[lang]}`);
  if (c.possibleCauses && !c.afterTheFact) lines.push(...c.possibleCauses.map((p, i) => `  ${i + 1}. ${p[lang]}`));
  lines.push(...c.notes[lang].map((n) => `  - ${n}`));
  lines.push(`  ${ja ? '発生' : 'Opened'}: ${jst(c.openedAt)}${c.resolvedAt ? ` / ${ja ? '復旧' : 'resolved'}: ${jst(c.resolvedAt)}` : ''}`);
  return lines;
}

/** The plain-text body: Japanese first, then English. */
export function textBody(g: NotificationGroup): string {
  const head = (lang: Lang) => lang === 'ja'
    ? `camfleet 通知 — 拠点 ${g.site.name ?? g.site.id}（${g.site.id}） 契約ID ${g.site.contractId ?? '—'} 設置住所 ${g.site.address ?? '—'}`
    : `camfleet notification — site ${g.site.name ?? g.site.id} (${g.site.id}), contract ID ${g.site.contractId ?? '—'}, address ${g.site.address ?? '—'}`;
  const part = (lang: Lang) => [head(lang), '', ...g.events.flatMap((e) => [...caseBlock(e, g, lang), ''])];
  return [...part('ja'), '----------------------------------------', '', ...part('en'), `Idempotency-Key: ${g.idempotencyKey}`, ''].join('\n');
}
