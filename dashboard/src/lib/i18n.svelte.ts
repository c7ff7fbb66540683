// Language and time-zone preferences plus formatting, as one rune class (reactive: templates re-render on change).
import type {
  AgentPresence,
  CaseFault,
  CaseSeverity,
  CaseState,
  Condition,
  DeviceState,
  Region,
  ResponsibleParty,
  Segment,
  SegmentRule,
} from '@camfleet/shared';
import { en, type MessageKey } from './messages/en.ts';
import { ja } from './messages/ja.ts';

export const LANGS = ['ja', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export type { MessageKey };

const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { ja, en };
const LANG_KEY = 'camfleet.lang';
const TZ_KEY = 'camfleet.timeZone';
export const DEFAULT_TIME_ZONE = 'Asia/Tokyo';

function load(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    return null; // storage disabled (private mode, policy)
  }
}

function save(key: string, value: string): void {
  try {
    globalThis.localStorage?.setItem(key, value);
  } catch {
    /* not remembered, still applied */
  }
}

const isLang = (v: unknown): v is Lang => LANGS.includes(v as Lang);

/** The first of navigator.languages that is Japanese or English wins; English otherwise. */
export function detectLang(languages: readonly string[] = globalThis.navigator?.languages ?? []): Lang {
  for (const tag of languages) {
    const primary = tag.toLowerCase().split('-')[0];
    if (isLang(primary)) return primary;
  }
  return 'en';
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

type Parts = Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string>;

export class I18n {
  #lang = $state<Lang>('en');
  #timeZone = $state(DEFAULT_TIME_ZONE);
  /** One formatter per zone; formatToParts keeps the layout identical in both languages (YYYY-MM-DD HH:mm:ss). */
  #fmt = $derived(
    new Intl.DateTimeFormat('en-US', {
      timeZone: this.#timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }),
  );
  readonly localTimeZone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  /** UTC offset (ms) per UTC hour for the current formatter; NaN for an hour in which it changes. Not reactive. */
  #offsets: { fmt: Intl.DateTimeFormat | null; byHour: Map<number, number> } = { fmt: null, byHour: new Map() };

  constructor() {
    const stored = load(LANG_KEY);
    this.#lang = isLang(stored) ? stored : detectLang();
    const tz = load(TZ_KEY);
    if (tz && isValidTimeZone(tz)) this.#timeZone = tz;
    this.#applyDocument();
  }

  get lang(): Lang {
    return this.#lang;
  }
  set lang(value: Lang) {
    this.#lang = value;
    save(LANG_KEY, value);
    this.#applyDocument();
  }

  get timeZone(): string {
    return this.#timeZone;
  }
  set timeZone(value: string) {
    if (!isValidTimeZone(value)) return;
    this.#timeZone = value;
    save(TZ_KEY, value);
  }

  /** Zones offered in the selector: Japan, UTC, this computer's and whatever was remembered. */
  get timeZoneOptions(): { value: string; label: string }[] {
    const zones = [...new Set([DEFAULT_TIME_ZONE, 'UTC', this.localTimeZone, this.#timeZone])];
    return zones.map((zone) => ({
      value: zone,
      label:
        zone === DEFAULT_TIME_ZONE || zone === 'UTC'
          ? this.t(`tz.${zone}`)
          : zone === this.localTimeZone
            ? this.t('tz.local', { zone })
            : zone,
    }));
  }

  /** Translates a key, filling `{name}` placeholders. Arrow function: safe to pass around unbound. */
  t = (key: MessageKey, vars?: Record<string, string | number>): string => {
    const text = DICTIONARIES[this.#lang][key];
    if (!vars) return text;
    return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
  };

  state = (s: DeviceState): string => this.t(`state.${s}`);
  segment = (s: Segment | undefined): string => (s ? this.t(`segment.${s}`) : '—');
  condition = (c: Condition): string => this.t(`condition.${c}`);
  presence = (p: AgentPresence): string => this.t(`agent.${p}`);
  party = (p: ResponsibleParty | undefined): string => (p ? this.t(`party.${p}`) : '—');
  group = (g: SegmentRule['group']): string => this.t(`group.${g}`);
  region = (r: string | undefined): string => (r === 'east' || r === 'west' ? this.t(`region.${r satisfies Region}`) : (r ?? '—'));
  severity = (s: CaseSeverity): string => this.t(`severity.${s}`);
  caseState = (s: CaseState): string => this.t(`caseState.${s}`);
  fault = (f: CaseFault): string => (f === 'agent-offline' ? this.t('fault.agent-offline') : this.condition(f));
  /** A word from the server's vocabularies (actions, log actions, notifiers…): translated when known, else as sent. */
  word = (prefix: string, word: string): string => {
    const key = `${prefix}.${word}`;
    return key in DICTIONARIES.en ? this.t(key as MessageKey) : word;
  };
  /** The half of a server-side bilingual text ({ ja, en }) for the current language. */
  pick = <T>(text: { ja: T; en: T }): T => (this.#lang === 'ja' ? text.ja : text.en);
  /** A message split around one placeholder, so the value (a name, an id) can be marked up apart: [before, after]. */
  around = (key: MessageKey, name: string, vars?: Record<string, string | number>): [string, string] => {
    const [before = '', after = ''] = this.t(key, { ...vars, [name]: '\u0000' }).split('\u0000');
    return [before, after];
  };
  /** Joins a list the way the language does. */
  list = (items: readonly string[]): string => items.join(this.#lang === 'ja' ? '、' : ', ');
  /** Locale-formatted number (thousands separators). */
  num = (n: number, digits = 0): string =>
    n.toLocaleString(this.#lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });

  /**
   * Calendar parts in the chosen zone. Intl's formatToParts costs tens of µs a call and a 500-row table formats
   * ~1,500 times, so the zone's UTC offset is looked up once per hour (cached per zone) and the parts are read off
   * a shifted Date; an hour in which the offset changes (a DST switch) falls back to formatToParts.
   */
  #parts(at: Date | string | number): Parts | null {
    const ms = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
    if (!Number.isFinite(ms)) return null;
    const fmt = this.#fmt;
    if (this.#offsets.fmt !== fmt) this.#offsets = { fmt, byHour: new Map() };
    const hour = Math.floor(ms / HOUR_MS);
    let offset = this.#offsets.byHour.get(hour);
    if (offset === undefined) {
      const start = offsetOf(fmt, hour * HOUR_MS);
      offset = start === offsetOf(fmt, (hour + 1) * HOUR_MS - 1) ? start : NaN;
      this.#offsets.byHour.set(hour, offset);
    }
    if (Number.isNaN(offset)) return partsOf(fmt, ms);
    const d = new Date(ms + offset);
    return {
      year: String(d.getUTCFullYear()),
      month: pad2(d.getUTCMonth() + 1),
      day: pad2(d.getUTCDate()),
      hour: pad2(d.getUTCHours()),
      minute: pad2(d.getUTCMinutes()),
      second: pad2(d.getUTCSeconds()),
    };
  }

  /** Time for tables: MM-DD HH:mm:ss in the chosen zone; `short` drops the date when it is today there. */
  time = (at: Date | string | number | undefined, short = false): string => {
    const p = at === undefined ? null : this.#parts(at);
    if (!p) return '—';
    const time = `${p.hour}:${p.minute}:${p.second}`;
    if (short) {
      const today = this.#parts(Date.now());
      if (today && today.year === p.year && today.month === p.month && today.day === p.day) return time;
    }
    return `${p.month}-${p.day} ${time}`;
  };

  /** Full time for tooltips: YYYY-MM-DD HH:mm:ss (zone). */
  fullTime = (at: Date | string | number | undefined): string => {
    const p = at === undefined ? null : this.#parts(at);
    return p ? `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} (${this.#timeZone})` : '';
  };

  clock = (at: Date | number): { date: string; time: string } => {
    const p = this.#parts(at);
    return p ? { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}` } : { date: '', time: '' };
  };

  /** Coarse duration: the two largest units, minutes at most ("3h 12m", "3時間12分"). */
  duration = (ms: number): string => {
    const minutes = Math.floor(Math.max(0, ms) / 60_000);
    if (minutes < 1) return this.t('dur.underMinute');
    const d = Math.floor(minutes / 1440);
    const h = Math.floor((minutes % 1440) / 60);
    const m = minutes % 60;
    const units: string[] = [];
    if (d) units.push(this.t('dur.days', { n: d }));
    if (h || d) units.push(this.t('dur.hours', { n: h }));
    if (!d) units.push(this.t('dur.minutes', { n: m }));
    return units.join(this.t('dur.join'));
  };

  #applyDocument(): void {
    if (typeof document === 'undefined') return;
    document.documentElement.lang = this.#lang;
    document.title = `${this.t('app.name')} — ${this.t('app.subtitle')}`;
  }
}

const PART_TYPES: Record<keyof Parts, true> = { year: true, month: true, day: true, hour: true, minute: true, second: true };
const HOUR_MS = 3_600_000;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function partsOf(fmt: Intl.DateTimeFormat, ms: number): Parts {
  const out = {} as Parts;
  for (const p of fmt.formatToParts(ms)) if (p.type in PART_TYPES) out[p.type as keyof Parts] = p.value;
  return out;
}

/** The zone's offset from UTC at `ms`, in ms (whole seconds). */
function offsetOf(fmt: Intl.DateTimeFormat, ms: number): number {
  const p = partsOf(fmt, ms);
  const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second));
  return local - Math.floor(ms / 1000) * 1000;
}

export const i18n = new I18n();
export const t = i18n.t;
