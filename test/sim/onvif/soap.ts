// SOAP 1.2 envelope parsing, WS-Security UsernameToken checking and response/fault building for the
// ONVIF camera simulator. Namespaces are matched by local name only (the `onvif` client and most real
// cameras use fixed prefixes, so the simulator stays lenient there).
import { createHash, timingSafeEqual } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';

export const NS = {
  env: 'http://www.w3.org/2003/05/soap-envelope',
  tt: 'http://www.onvif.org/ver10/schema',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  ter: 'http://www.onvif.org/ver10/error',
} as const;

const PASSWORD_DIGEST = '#PasswordDigest';

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
});

/** A parsed XML node as fast-xml-parser returns it: text, or an object of children / '@_' attributes. */
export type XmlNode = string | { [key: string]: XmlNode | XmlNode[] | undefined };

export interface UsernameToken {
  username: string;
  password: string;
  passwordType: string;
  nonce: string;
  created: string;
}

export interface SoapRequest {
  /** Local name of the first element in the Body (the operation, e.g. GetDeviceInformation). */
  action: string;
  /** The operation element's content. */
  params: XmlNode;
  token?: UsernameToken;
}

/** Text content of a node (attributes ignored); '' when absent. */
export function text(node: XmlNode | XmlNode[] | undefined): string {
  if (node === undefined) return '';
  if (Array.isArray(node)) return text(node[0]);
  if (typeof node === 'string') return node;
  const t = node['#text'];
  return typeof t === 'string' ? t : '';
}

/** Child element of an object node, or undefined. */
export function child(node: XmlNode | XmlNode[] | undefined, name: string): XmlNode | XmlNode[] | undefined {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return undefined;
  return node[name];
}

function attr(node: XmlNode | XmlNode[] | undefined, name: string): string {
  const v = child(node, `@_${name}`);
  return typeof v === 'string' ? v : '';
}

/** Parses a SOAP envelope; null when it is not well-formed or has no operation in its Body. */
export function parseSoap(xml: string): SoapRequest | null {
  let doc: XmlNode;
  try {
    doc = parser.parse(xml, true) as XmlNode;
  } catch {
    return null;
  }
  const envelope = child(doc, 'Envelope');
  const body = child(envelope, 'Body');
  if (body === undefined || typeof body === 'string' || Array.isArray(body)) return null;
  const action = Object.keys(body).find((k) => !k.startsWith('@_') && k !== '#text');
  if (!action) return null;
  const params = body[action];
  const ut = child(child(child(envelope, 'Header'), 'Security'), 'UsernameToken');
  const token: UsernameToken | undefined =
    ut === undefined
      ? undefined
      : {
          username: text(child(ut, 'Username')),
          password: text(child(ut, 'Password')),
          passwordType: attr(child(ut, 'Password'), 'Type'),
          nonce: text(child(ut, 'Nonce')),
          created: text(child(ut, 'Created')),
        };
  return { action, params: Array.isArray(params) ? (params[0] ?? '') : (params ?? ''), token };
}

/**
 * WS-Security UsernameToken Profile 1.0 §3.1 (as required by the ONVIF Core spec, Security chapter):
 * PasswordDigest = Base64(SHA-1(nonce bytes + Created + password)). Only the digest form is accepted.
 */
export function digestMatches(token: UsernameToken, username: string, password: string): boolean {
  if (token.username !== username || !token.passwordType.endsWith(PASSWORD_DIGEST)) return false;
  if (!token.nonce || !token.created) return false;
  const expected = createHash('sha1')
    .update(Buffer.concat([Buffer.from(token.nonce, 'base64'), Buffer.from(token.created, 'utf8'), Buffer.from(password, 'utf8')]))
    .digest();
  const given = Buffer.from(token.password, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A SOAP 1.2 envelope around `body`, declaring the prefixes the handlers use. */
export function envelope(body: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<env:Envelope xmlns:env="${NS.env}" xmlns:tt="${NS.tt}" xmlns:tds="${NS.tds}" xmlns:trt="${NS.trt}" xmlns:ter="${NS.ter}">` +
    `<env:Body>${body}</env:Body></env:Envelope>`
  );
}

/**
 * SOAP 1.2 fault (SOAP 1.2 Part 1 §5.4) with ONVIF subcodes (ONVIF Core spec, "Generic faults"). The `onvif` client
 * builds its error message from Reason/Text `_`, which xml2js only produces when Text has an attribute,
 * so xml:lang is required, not decorative.
 */
export function fault(code: 'Sender' | 'Receiver', subcodes: string[], reason: string): string {
  const sub = subcodes.reduceRight((inner, s) => `<env:Subcode><env:Value>${s}</env:Value>${inner}</env:Subcode>`, '');
  return envelope(
    `<env:Fault><env:Code><env:Value>env:${code}</env:Value>${sub}</env:Code>` +
      `<env:Reason><env:Text xml:lang="en">${escapeXml(reason)}</env:Text></env:Reason></env:Fault>`,
  );
}

/** SOAP 1.2 Part 2 HTTP binding: a Sender fault is sent with HTTP 400, a Receiver fault with 500. */
export interface SoapReply {
  status: number;
  xml: string;
  /** Runs once the reply has been written (SystemReboot goes down after answering). */
  afterSend?: () => void;
}

export function ok(body: string): SoapReply {
  return { status: 200, xml: envelope(body) };
}

export function faultReply(code: 'Sender' | 'Receiver', subcodes: string[], reason: string): SoapReply {
  return { status: code === 'Sender' ? 400 : 500, xml: fault(code, subcodes, reason) };
}

/** Subcodes and reason texts from the ONVIF Core spec's generic fault table. */
export const FAULTS = {
  notAuthorized: (): SoapReply => faultReply('Sender', ['ter:NotAuthorized'], 'Sender not Authorized'),
  actionNotSupported: (): SoapReply =>
    faultReply('Receiver', ['ter:ActionNotSupported'], 'Optional Action Not Implemented'),
  wellFormed: (): SoapReply => faultReply('Sender', ['ter:WellFormed'], 'Well-formed Error'),
  noProfile: (): SoapReply => faultReply('Sender', ['ter:InvalidArgVal', 'ter:NoProfile'], 'Profile token does not exist'),
  noSuchService: (): SoapReply =>
    faultReply('Receiver', ['ter:ActionNotSupported', 'ter:NoSuchService'], 'The requested service is not supported'),
} as const;
