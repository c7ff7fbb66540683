// The site-level case for a silent agent (issue 5 §3): the possible causes in the order to check them — line
// (carrier), router, power, gateway — with the evidence known when it went silent; and, once the agent's buffered
// telemetry has arrived, the root cause found after the fact and its timeline. Pure functions.
import {
  AGENT_ROOT,
  type AfterTheFact, type DeviceSpec, type PossibleCause, type Segment, type SiteSpec, type TimelineEntry,
} from '@camfleet/shared';
import { attribute, buildTopology } from '../rules/index.ts';
import { ticketIdentity, type CaseDraft } from './draft.ts';
import { priorityOf, uplinkChain } from './impact.ts';

export interface UplinkEvidence {
  device: string;
  segment: Segment;
  /** The last sample the server had before the agent went silent. */
  lastSample: string | null;
  reachable: boolean | null;
  conditions: string[];
  metrics: Record<string, number>;
}

export interface AgentOfflineEvidence {
  agent: 'offline' | 'unknown';
  since: string;
  lastTelemetry: string | null;
  uplink: UplinkEvidence[];
  /** LTE routers' last signal: weak or not, and the measured values (rsrp, …) when the agent sent them. */
  lteSignal: { device: string; weak: boolean; metrics: Record<string, number> }[];
}

/** Device rows the agent sent for one device: reachable 0/1, behindParent 1 when skipped behind a dead parent. */
export interface OutageSample {
  device: string;
  at: number;
  fields: Record<string, number>;
}

const first = (site: SiteSpec, seg: Segment, among?: Set<string>) =>
  site.devices.find((d) => d.segment === seg && (!among || among.has(d.id)))?.id ?? null;

export function possibleCauses(site: SiteSpec): PossibleCause[] {
  const chain = uplinkChain(buildTopology(site));
  const gw = site.devices.find((d) => d.segment === 'gateway');
  return [
    { id: 'line', device: first(site, 'onu'), responsible: 'line-carrier',
      ja: '回線（回線業者）：ONUのランプ・回線業者の障害情報を確認', en: 'Line (carrier): check the ONU lamps and the carrier\'s outage notices' },
    { id: 'router', device: first(site, 'router', chain) ?? first(site, 'router'), responsible: 'purchase-vendor',
      ja: 'ルータ：電源・ランプ・WAN接続を確認（購入元）', en: 'Router: check its power, lamps and WAN link (where it was bought)' },
    { id: 'power', device: null, responsible: null,
      ja: '電源：拠点の停電・ブレーカー・電源タップを確認', en: 'Power: check for a power cut, breaker or power strip at the site' },
    { id: 'gateway', device: gw?.id ?? null, responsible: gw ? attribute(gw).responsible : 'support-center',
      ja: 'カメラゲートウェイ：電源・ランプを確認、再起動', en: 'Camera gateway: check power and lamps, then restart it' },
  ];
}

export function agentOfflineDraft(site: SiteSpec, evidence: AgentOfflineEvidence): CaseDraft {
  const causes = possibleCauses(site);
  const gw = site.devices.find((d) => d.segment === 'gateway');
  const weak = evidence.lteSignal.filter((l) => l.weak).map((l) => l.device);
  const notes = {
    ja: [
      'エージェントからの通信が途絶え、拠点の状態は不明（UNKNOWN）。次の順に確認：回線、ルータ、電源、ゲートウェイ。',
      ...(weak.length ? [`途絶前にLTE電波微弱を報告：${weak.join('、')}`] : []),
      'エージェントはバッファしたデータを復旧後に送信するため、原因は復旧後に特定して本ケースへ追記する。',
    ],
    en: [
      'The agent went silent; the site\'s state is UNKNOWN. Check in this order: line, router, power, gateway.',
      ...(weak.length ? [`Weak LTE signal reported before the silence: ${weak.join(', ')}`] : []),
      'The agent buffers its telemetry and sends it on return: the root cause found then is added to this case.',
    ],
  };
  return {
    site: site.id,
    rootCause: AGENT_ROOT,
    fault: 'agent-offline',
    segment: null,
    responsible: null,
    side: 'customer', // every cause on the list is customer-managed equipment or supply (DOMAIN §1)
    severity: 'critical',
    priority: priorityOf('critical', null, site.devices.length),
    siteWide: true,
    affected: site.devices.map((d) => d.id),
    detail: {
      actions: causes.map((c) => `check-${c.id}`),
      warranty: null,
      reinstall: null,
      exchange: null,
      maintenance: null,
      contact: null,
      ticket: ticketIdentity(site, gw),
      evidence: { ...evidence },
      notes,
      possibleCauses: causes,
    },
    signature: JSON.stringify(['agent-offline', evidence.since]),
  };
}

const CAUSE_OF: Partial<Record<Segment, AfterTheFact['cause']>> = {
  onu: 'line', 'lte-router': 'line', router: 'router', switch: 'router', gateway: 'gateway',
};

const iso = (ms: number) => new Date(ms).toISOString();
const isDown = (s: OutageSample) => s.fields.reachable === 0 && s.fields.behindParent !== 1;

/** State changes of one device over the window, from its samples in time order. */
function transitions(device: DeviceSpec, samples: OutageSample[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  let down: boolean | undefined;
  for (const s of samples) {
    const now = isDown(s);
    if (now === down) continue;
    if (now) out.push({ at: iso(s.at), event: 'device-down', device: device.id, ja: `${device.id}（${device.segment}）応答なし`, en: `${device.id} (${device.segment}) stopped answering` });
    else if (down !== undefined) out.push({ at: iso(s.at), event: 'device-up', device: device.id, ja: `${device.id} 応答再開`, en: `${device.id} answered again` });
    down = now;
  }
  return out;
}

/**
 * What the buffered telemetry of [from, to] shows: the topmost uplink device that was down (the agent skips what
 * lies behind a dead parent, so the nearest dead one is the cause); none down → the link beyond the line; no
 * samples at all → the gateway was not polling (power, or the gateway itself).
 */
export function analyzeOutage(site: SiteSpec, samples: readonly OutageSample[], window: { from: number; to: number }): AfterTheFact {
  const topo = buildTopology(site);
  const inWindow = samples.filter((s) => s.at > window.from && s.at <= window.to).sort((a, b) => a.at - b.at);
  const timeline: TimelineEntry[] = [{ at: iso(window.from), event: 'agent-silent', ja: 'エージェント通信途絶', en: 'Agent went silent' }];
  const chain = uplinkChain(topo);
  for (const d of site.devices) if (d.segment === 'lte-router' || d.segment === 'gateway') chain.add(d.id);
  let root: DeviceSpec | undefined;
  for (const id of chain) {
    const device = topo.byId.get(id);
    if (!device) continue;
    const own = inWindow.filter((s) => s.device === id);
    timeline.push(...transitions(device, own));
    if (own.some(isDown) && (!root || depth(topo, id) < depth(topo, root.id))) root = device;
  }
  timeline.sort((a, b) => a.at.localeCompare(b.at));
  timeline.push({ at: iso(window.to), event: 'agent-back', ja: 'エージェント通信復旧', en: 'Agent back online' });
  const n = inWindow.length;
  if (root) {
    const who = attribute(root);
    return {
      rootCause: root.id, segment: root.segment, responsible: who.responsible, cause: CAUSE_OF[root.segment] ?? 'unknown', samples: n,
      summary: {
        ja: `復旧後に届いたデータ（${n}件）から、途絶中に ${root.id}（${root.segment}）が応答していなかったことを確認。`,
        en: `The ${n} buffered samples show ${root.id} (${root.segment}) was not answering during the silence.`,
      },
      timeline,
    };
  }
  if (n === 0) {
    const gw = site.devices.find((d) => d.segment === 'gateway');
    return {
      rootCause: gw?.id ?? null, segment: gw ? 'gateway' : null, responsible: null, cause: 'power', samples: 0,
      summary: {
        ja: '途絶中のデータなし：ゲートウェイが計測していなかった（停電またはゲートウェイ自体の停止）。',
        en: 'No telemetry from the silence: the gateway was not polling (a power cut, or the gateway itself stopped).',
      },
      timeline,
    };
  }
  return {
    rootCause: null, segment: null, responsible: 'line-carrier', cause: 'agent-link', samples: n,
    summary: {
      ja: `途絶中も回線側機器は応答（${n}件）：ONUより先の回線網かサーバまでの経路の障害。まず回線業者へ確認。`,
      en: `The uplink devices kept answering (${n} samples): the network beyond the ONU or the route to the server failed; ask the line carrier first.`,
    },
    timeline,
  };
}

function depth(topo: ReturnType<typeof buildTopology>, id: string): number {
  let n = 0;
  for (let p = topo.byId.get(id)?.parent; p !== undefined && n < 10_000; p = topo.byId.get(p)?.parent) n++;
  return n;
}
