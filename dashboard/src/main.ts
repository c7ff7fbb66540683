import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { cases } from './lib/cases.svelte.ts';
import { fleet } from './lib/fleet.svelte.ts';

const target = document.getElementById('app');
if (!target) throw new Error('#app missing from index.html');

// The live stores, read-only by convention: for diagnostics in the browser console and for the dashboard bench
// (test/bench/dashboard), which reads their counters of updates received and applied.
Object.defineProperty(globalThis, '__camfleet', { value: Object.freeze({ fleet, cases }), configurable: true });

export default mount(App, { target });
