// ONVIF operations the simulator answers. Element names and nesting follow the ONVIF schemas
// (devicemgmt.wsdl, media.wsdl, onvif.xsd); the `onvif` 0.8.3 client reads them after stripping prefixes
// and lower-casing the first letter (UTCDateTime stays as is), see node_modules/onvif/lib/utils.js.
import { child, escapeXml, FAULTS, ok, text, type SoapReply, type XmlNode } from './soap.ts';

export const DEVICE_PATH = '/onvif/device_service';
export const MEDIA_PATH = '/onvif/media_service';
export type Service = 'device' | 'media';

export interface OnvifDeviceInfo {
  manufacturer: string;
  model: string;
  firmwareVersion: string;
  serialNumber: string;
  hardwareId: string;
}

export interface SimProfile {
  token: string;
  name: string;
  width: number;
  height: number;
  streamUri: string;
  snapshotUri: string;
}

/** What the handlers need from the camera. */
export interface HandlerContext {
  info: OnvifDeviceInfo;
  /** http://host:port, used for XAddrs. */
  baseUrl: string;
  profiles: SimProfile[];
  /** The camera's clock (ms since epoch, clock offset applied). */
  cameraNowMs(): number;
  rebootDownS: number;
  /** Goes down now (after the reply is written) and comes back after rebootDownS. */
  reboot(): void;
}

type Handler = (ctx: HandlerContext, params: XmlNode) => SoapReply;

const tag = (name: string, value: string | number | boolean): string => `<${name}>${escapeXml(String(value))}</${name}>`;

function dateTime(wrapper: string, d: Date): string {
  return (
    `<tt:${wrapper}><tt:Time>${tag('tt:Hour', d.getUTCHours())}${tag('tt:Minute', d.getUTCMinutes())}` +
    `${tag('tt:Second', d.getUTCSeconds())}</tt:Time><tt:Date>${tag('tt:Year', d.getUTCFullYear())}` +
    `${tag('tt:Month', d.getUTCMonth() + 1)}${tag('tt:Day', d.getUTCDate())}</tt:Date></tt:${wrapper}>`
  );
}

/** Device service GetSystemDateAndTime. The camera runs on UTC, so local time equals UTC. */
const getSystemDateAndTime: Handler = (ctx) => {
  const now = new Date(ctx.cameraNowMs());
  return ok(
    '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>' +
      '<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>' +
      '<tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone>' +
      dateTime('UTCDateTime', now) +
      dateTime('LocalDateTime', now) +
      '</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>',
  );
};

/** Device service GetDeviceInformation. */
const getDeviceInformation: Handler = ({ info }) =>
  ok(
    '<tds:GetDeviceInformationResponse>' +
      tag('tds:Manufacturer', info.manufacturer) +
      tag('tds:Model', info.model) +
      tag('tds:FirmwareVersion', info.firmwareVersion) +
      tag('tds:SerialNumber', info.serialNumber) +
      tag('tds:HardwareId', info.hardwareId) +
      '</tds:GetDeviceInformationResponse>',
  );

const deviceCaps = (ctx: HandlerContext): string =>
  `<tt:Device>${tag('tt:XAddr', ctx.baseUrl + DEVICE_PATH)}` +
  '<tt:Network><tt:IPFilter>false</tt:IPFilter><tt:ZeroConfiguration>false</tt:ZeroConfiguration>' +
  '<tt:IPVersion6>false</tt:IPVersion6><tt:DynDNS>false</tt:DynDNS></tt:Network>' +
  '<tt:System><tt:DiscoveryResolve>false</tt:DiscoveryResolve><tt:DiscoveryBye>true</tt:DiscoveryBye>' +
  '<tt:RemoteDiscovery>false</tt:RemoteDiscovery><tt:SystemBackup>false</tt:SystemBackup>' +
  '<tt:SystemLogging>false</tt:SystemLogging><tt:FirmwareUpgrade>false</tt:FirmwareUpgrade>' +
  '<tt:SupportedVersions><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tt:SupportedVersions></tt:System>' +
  '<tt:Security><tt:TLS1.1>false</tt:TLS1.1><tt:TLS1.2>false</tt:TLS1.2>' +
  '<tt:OnboardKeyGeneration>false</tt:OnboardKeyGeneration><tt:AccessPolicyConfig>false</tt:AccessPolicyConfig>' +
  '<tt:X.509Token>false</tt:X.509Token><tt:SAMLToken>false</tt:SAMLToken>' +
  '<tt:KerberosToken>false</tt:KerberosToken><tt:RELToken>false</tt:RELToken></tt:Security></tt:Device>';

const mediaCaps = (ctx: HandlerContext): string =>
  `<tt:Media>${tag('tt:XAddr', ctx.baseUrl + MEDIA_PATH)}` +
  '<tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP>' +
  '<tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>';

/**
 * Device service GetCapabilities. Only Device and Media exist; no DeviceIO, PTZ, Events, Imaging.
 * A category the device lacks is answered with ter:NoSuchService, as the Core spec lists for it.
 */
const getCapabilities: Handler = (ctx, params) => {
  const raw = child(params, 'Category');
  const categories = (Array.isArray(raw) ? raw.map((c) => text(c)) : [text(raw)]).filter(Boolean);
  const wanted = categories.length === 0 ? ['All'] : categories;
  let caps = '';
  for (const c of wanted) {
    if (c === 'All') caps += deviceCaps(ctx) + mediaCaps(ctx);
    else if (c === 'Device') caps += deviceCaps(ctx);
    else if (c === 'Media') caps += mediaCaps(ctx);
    else return FAULTS.noSuchService();
  }
  return ok(`<tds:GetCapabilitiesResponse><tds:Capabilities>${caps}</tds:Capabilities></tds:GetCapabilitiesResponse>`);
};

/** Device service GetServices (service capabilities are not included even when asked for). */
const getServices: Handler = (ctx) => {
  const svc = (ns: string, path: string): string =>
    `<tds:Service>${tag('tds:Namespace', ns)}${tag('tds:XAddr', ctx.baseUrl + path)}` +
    '<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>';
  return ok(
    '<tds:GetServicesResponse>' +
      svc('http://www.onvif.org/ver10/device/wsdl', DEVICE_PATH) +
      svc('http://www.onvif.org/ver10/media/wsdl', MEDIA_PATH) +
      '</tds:GetServicesResponse>',
  );
};

/** Device service SystemReboot: answer first (with a Message), then go down. */
const systemReboot: Handler = (ctx) => ({
  ...ok(`<tds:SystemRebootResponse>${tag('tds:Message', `Rebooting in ${ctx.rebootDownS} seconds`)}</tds:SystemRebootResponse>`),
  afterSend: () => ctx.reboot(),
});

function profileXml(p: SimProfile): string {
  return (
    `<trt:Profiles token="${escapeXml(p.token)}" fixed="true">${tag('tt:Name', p.name)}` +
    '<tt:VideoSourceConfiguration token="vsc0"><tt:Name>VideoSource</tt:Name><tt:UseCount>2</tt:UseCount>' +
    '<tt:SourceToken>vs0</tt:SourceToken><tt:Bounds x="0" y="0" width="1920" height="1080"/></tt:VideoSourceConfiguration>' +
    `<tt:VideoEncoderConfiguration token="vec-${escapeXml(p.token)}"><tt:Name>${escapeXml(p.name)}</tt:Name>` +
    '<tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>' +
    `<tt:Resolution>${tag('tt:Width', p.width)}${tag('tt:Height', p.height)}</tt:Resolution><tt:Quality>5</tt:Quality>` +
    '<tt:RateControl><tt:FrameRateLimit>15</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval>' +
    '<tt:BitrateLimit>2048</tt:BitrateLimit></tt:RateControl><tt:SessionTimeout>PT60S</tt:SessionTimeout>' +
    '</tt:VideoEncoderConfiguration></trt:Profiles>'
  );
}

/** Media service (ver10) GetProfiles. */
const getProfiles: Handler = (ctx) =>
  ok(`<trt:GetProfilesResponse>${ctx.profiles.map(profileXml).join('')}</trt:GetProfilesResponse>`);

function mediaUri(ctx: HandlerContext, params: XmlNode, response: string, pick: (p: SimProfile) => string): SoapReply {
  const token = text(child(params, 'ProfileToken'));
  const profile = ctx.profiles.find((p) => p.token === token);
  if (!profile) return FAULTS.noProfile();
  return ok(
    `<trt:${response}><trt:MediaUri>${tag('tt:Uri', pick(profile))}` +
      '<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot>' +
      `<tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:${response}>`,
  );
}

/** Media service (ver10) GetVideoSources: one sensor, which every profile uses. */
const getVideoSources: Handler = () =>
  ok(
    '<trt:GetVideoSourcesResponse><trt:VideoSources token="vs0"><tt:Framerate>15</tt:Framerate>' +
      '<tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution>' +
      '</trt:VideoSources></trt:GetVideoSourcesResponse>',
  );

/** Media service (ver10) GetStreamUri / GetSnapshotUri. */
const getStreamUri: Handler = (ctx, params) => mediaUri(ctx, params, 'GetStreamUriResponse', (p) => p.streamUri);
const getSnapshotUri: Handler = (ctx, params) => mediaUri(ctx, params, 'GetSnapshotUriResponse', (p) => p.snapshotUri);

const HANDLERS: Record<Service, Record<string, Handler>> = {
  device: {
    GetSystemDateAndTime: getSystemDateAndTime,
    GetDeviceInformation: getDeviceInformation,
    GetCapabilities: getCapabilities,
    GetServices: getServices,
    SystemReboot: systemReboot,
  },
  media: {
    GetProfiles: getProfiles,
    GetVideoSources: getVideoSources,
    GetStreamUri: getStreamUri,
    GetSnapshotUri: getSnapshotUri,
  },
};

/** ONVIF Core spec, user-based access control: GetSystemDateAndTime is in the PRE_AUTH class. */
export const PRE_AUTH_ACTIONS: ReadonlySet<string> = new Set(['GetSystemDateAndTime']);

export function findHandler(service: Service, action: string): Handler | undefined {
  return Object.hasOwn(HANDLERS[service], action) ? HANDLERS[service][action] : undefined;
}
