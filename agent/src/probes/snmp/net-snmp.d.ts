// Types for the part of net-snmp 3 (a CommonJS package without its own typings) that camfleet uses:
// the v1/v2c command generator (agent/src/probes/snmp) and the agent + MIB API (test/sim/snmp).
// Ambient, so both workspaces see it through the root tsconfig. Shapes follow node_modules/net-snmp/README.md.
declare module 'net-snmp' {
  import type * as dgram from 'node:dgram';

  namespace snmp {
    /** net-snmp's constant tables map names to numbers and numbers back to names. */
    type Constants<K extends string> = Readonly<Record<K, number>> & Readonly<Record<number, string>>;

    interface Varbind {
      oid: string;
      type: number;
      value: unknown;
    }

    interface SessionOptions {
      port?: number;
      retries?: number;
      timeout?: number;
      backoff?: number;
      transport?: 'udp4' | 'udp6';
      version?: number;
      idBitsSize?: 16 | 32;
      dgramModule?: Pick<typeof dgram, 'createSocket'>;
    }

    type ResponseCallback = (error: Error | null, varbinds?: Varbind[]) => void;

    interface Session {
      get(oids: string[], cb: ResponseCallback): Session;
      set(varbinds: Varbind[], cb: ResponseCallback): Session;
      /** Rows keyed by the row index ("1.3"), each mapping column number to value. */
      tableColumns(
        oid: string,
        columns: number[],
        maxRepetitions: number,
        cb: (error: Error | null, table?: Record<string, Record<string, unknown>>) => void,
      ): Session;
      close(): Session;
      on(event: 'error' | 'close', listener: (...args: unknown[]) => void): Session;
    }

    interface MibRequest {
      oid: string;
      operation: number;
      instanceNode: { value: unknown };
      setValue?: unknown;
      /** True on the commit pass of a SetRequest (the handler also runs on a test pass before it). */
      commitSet?: boolean;
      done(error?: { errorStatus: number; type?: number; value?: unknown }): void;
    }

    interface TableColumn {
      number: number;
      name: string;
      type: number;
      maxAccess: number;
      constraints?: { enumeration?: Record<string, string>; ranges?: { min?: number; max?: number }[] };
    }

    interface ProviderDefinition {
      name: string;
      type: number;
      oid: string;
      maxAccess: number;
      scalarType?: number;
      tableColumns?: TableColumn[];
      tableIndex?: { columnName: string }[];
      constraints?: TableColumn['constraints'];
      handler?: (request: MibRequest) => void;
    }

    interface Mib {
      registerProvider(definition: ProviderDefinition): void;
      setScalarValue(name: string, value: unknown): void;
      getScalarValue(name: string): unknown;
      addTableRow(name: string, row: unknown[]): void;
      getTableSingleCell(name: string, column: number, rowIndex: number[]): unknown;
      setTableSingleCell(name: string, column: number, rowIndex: number[], value: unknown): void;
    }

    interface SimpleAccessControlModel {
      setCommunityAccess(community: string, level: number): void;
    }

    interface Authorizer {
      addCommunity(community: string): void;
      getAccessControlModel(): SimpleAccessControlModel;
    }

    interface AgentOptions {
      port?: number;
      address?: string | null;
      transport?: 'udp4' | 'udp6';
      disableAuthorization?: boolean;
      accessControlModelType?: number;
      dgramModule?: Pick<typeof dgram, 'createSocket'>;
    }

    interface Agent {
      getMib(): Mib;
      getAuthorizer(): Authorizer;
      close(callback?: () => void): void;
    }

    class RequestFailedError extends Error {
      status: number;
    }
    class RequestTimedOutError extends Error {}
    class RequestInvalidError extends Error {}
    class ResponseInvalidError extends Error {
      code: string;
    }

    const Version1: number;
    const Version2c: number;
    const ObjectType: Constants<
      'Integer' | 'Integer32' | 'OctetString' | 'TimeTicks' | 'Gauge' | 'Counter' | 'NoSuchObject' | 'NoSuchInstance' | 'EndOfMibView'
    >;
    const ErrorStatus: Constants<'NoError' | 'NoSuchName' | 'BadValue' | 'GeneralError' | 'NoAccess' | 'WrongValue' | 'NotWritable'>;
    const PduType: Constants<'GetRequest' | 'GetNextRequest' | 'GetBulkRequest' | 'SetRequest'>;
    const MibProviderType: Constants<'Scalar' | 'Table'>;
    const MaxAccess: Constants<'not-accessible' | 'read-only' | 'read-write'>;
    const AccessControlModelType: Constants<'None' | 'Simple'>;
    const AccessLevel: Constants<'None' | 'ReadOnly' | 'ReadWrite'>;

    function createSession(target: string, community: string, options?: SessionOptions): Session;
    function createAgent(options: AgentOptions, callback: (error: Error | null, data?: unknown) => void, mib?: Mib): Agent;
    function createMib(options?: Record<string, unknown>): Mib;
    function isVarbindError(varbind: Varbind): boolean;
  }

  export = snmp;
}
