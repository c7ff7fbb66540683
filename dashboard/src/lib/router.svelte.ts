// Hash routing (no server support needed): #/ overview, #/wall wallboard, #/site/<id>, #/site/<id>/device/<id>,
// #/cases (cases board; filters in the query) and #/cases/<id> (the board with that case's detail open).
// A route is parsed once per hashchange; views read `router.route`. New views (e.g. a cases board) add one
// entry to ROUTES and one branch in App.svelte.

export type Route =
  | { name: 'overview'; query: URLSearchParams }
  | { name: 'wall'; query: URLSearchParams }
  | { name: 'site'; site: string; query: URLSearchParams }
  | { name: 'device'; site: string; device: string; query: URLSearchParams }
  | { name: 'cases'; id: number | null; query: URLSearchParams }
  | { name: 'not-found'; path: string; query: URLSearchParams };

type Matcher = (parts: string[], query: URLSearchParams) => Route | null;

const ROUTES: Matcher[] = [
  (p, query) => (p.length === 0 ? { name: 'overview', query } : null),
  (p, query) => (p.length === 1 && p[0] === 'wall' ? { name: 'wall', query } : null),
  (p, query) => (p.length === 2 && p[0] === 'site' ? { name: 'site', site: p[1]!, query } : null),
  (p, query) =>
    p.length === 4 && p[0] === 'site' && p[2] === 'device' ? { name: 'device', site: p[1]!, device: p[3]!, query } : null,
  (p, query) => (p.length === 1 && p[0] === 'cases' ? { name: 'cases', id: null, query } : null),
  (p, query) =>
    p.length === 2 && p[0] === 'cases' && /^[1-9]\d{0,15}$/.test(p[1]!) ? { name: 'cases', id: Number(p[1]), query } : null,
];

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/** '#/site/a%20b/device/c?range=6h' → { name: 'device', site: 'a b', device: 'c', query: range=6h }. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const parts = path.split('/').filter(Boolean).map(decode);
  if (parts.every((p): p is string => p !== null)) {
    for (const match of ROUTES) {
      const route = match(parts, query);
      if (route) return route;
    }
  }
  return { name: 'not-found', path: `/${path}`, query };
}

const enc = encodeURIComponent;
export const href = {
  overview: (): string => '#/',
  wall: (): string => '#/wall',
  site: (site: string): string => `#/site/${enc(site)}`,
  device: (site: string, device: string, query?: Record<string, string>): string =>
    `#/site/${enc(site)}/device/${enc(device)}${query ? `?${new URLSearchParams(query)}` : ''}`,
  /** The board, or one case on it; `query` keeps the board's filters. */
  cases: (id?: number | null, query?: URLSearchParams | Record<string, string>): string => {
    const q = query ? new URLSearchParams(query).toString() : '';
    return `#/cases${id ? `/${id}` : ''}${q ? `?${q}` : ''}`;
  },
};

class Router {
  route = $state.raw<Route>(parseHash(typeof location === 'undefined' ? '' : location.hash));

  constructor() {
    if (typeof window !== 'undefined') window.addEventListener('hashchange', () => this.#sync());
  }

  #sync(): void {
    this.route = parseHash(location.hash);
  }

  /** Navigates (adds a history entry). `replace` swaps the current entry, e.g. for a changed query only. */
  go(hash: string, replace = false): void {
    if (replace) {
      history.replaceState(history.state, '', hash);
      this.#sync();
    } else {
      location.hash = hash;
    }
  }
}

export const router = new Router();
