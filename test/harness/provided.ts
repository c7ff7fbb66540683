// Typing for the values global-setup.ts provides; tests read them with `inject('mosquittoUrl')` etc.
// Import this file (type-only is enough) from any test that injects them.
declare module 'vitest' {
  export interface ProvidedContext {
    /** mqtt://127.0.0.1:PORT of the run's private Mosquitto (anonymous, persistence on, no queue limits). */
    mosquittoUrl: string;
    /** http://127.0.0.1:PORT of the run's private InfluxDB 1.x (no auth). */
    influxUrl: string;
    /** postgres://postgres@127.0.0.1:PORT/postgres of the run's private PostgreSQL (trust auth). */
    postgresUrl: string;
  }
}

export {};
