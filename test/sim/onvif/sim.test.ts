// The simulator at the wire level (raw SOAP over fetch), independent of the `onvif` client.
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startOnvifCamera, type OnvifCameraHandle } from './index.ts';

const cams: OnvifCameraHandle[] = [];
afterEach(async () => {
  await Promise.all(cams.splice(0).map((c) => c.close()));
});

async function sim(): Promise<OnvifCameraHandle> {
  const cam = await startOnvifCamera({ username: 'admin', password: 'pw', clockOffsetS: -60 });
  cams.push(cam);
  return cam;
}

function security(password: string, nonce = randomBytes(16), created = new Date().toISOString()): string {
  const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created), Buffer.from(password)])).digest('base64');
  return (
    '<Security xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken>' +
    '<Username>admin</Username><Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">' +
    `${digest}</Password><Nonce>${nonce.toString('base64')}</Nonce><Created>${created}</Created></UsernameToken></Security>`
  );
}

function soap(body: string, header = ''): string {
  return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

async function post(url: string, xml: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', body: xml, headers: { 'Content-Type': 'application/soap+xml' } });
  return { status: res.status, text: await res.text() };
}

const GDI = '<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>';

describe('ONVIF camera simulator', () => {
  it('answers GetSystemDateAndTime without credentials, with the clock offset applied', async () => {
    const cam = await sim();
    const { status, text } = await post(cam.deviceServiceUrl, soap('<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/>'));
    expect(status).toBe(200);
    const n = (tag: string): number => Number(new RegExp(`<tt:UTCDateTime>.*?<tt:${tag}>(\\d+)</tt:${tag}>`).exec(text)?.[1]);
    const camera = Date.UTC(n('Year'), n('Month') - 1, n('Day'), n('Hour'), n('Minute'), n('Second'));
    expect(Math.abs(camera - (Date.now() - 60_000))).toBeLessThan(3000);
  });

  it('requires a valid UsernameToken digest and rejects a replayed nonce', async () => {
    const cam = await sim();
    const missing = await post(cam.deviceServiceUrl, soap(GDI));
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('<env:Value>ter:NotAuthorized</env:Value>');
    expect((await post(cam.deviceServiceUrl, soap(GDI, security('bad')))).status).toBe(400);

    const header = security('pw');
    const first = await post(cam.deviceServiceUrl, soap(GDI, header));
    expect(first.status).toBe(200);
    expect(first.text).toContain('<tds:Manufacturer>CamSim</tds:Manufacturer>');
    expect((await post(cam.deviceServiceUrl, soap(GDI, header))).status).toBe(400);
  });

  it('faults unknown actions, malformed XML and oversized bodies', async () => {
    const cam = await sim();
    const unknown = await post(cam.deviceServiceUrl, soap('<GetHostname xmlns="http://www.onvif.org/ver10/device/wsdl"/>', security('pw')));
    expect(unknown.status).toBe(500);
    expect(unknown.text).toContain('ter:ActionNotSupported');
    const mediaOnDevice = await post(cam.deviceServiceUrl, soap('<GetProfiles/>', security('pw')));
    expect(mediaOnDevice.text).toContain('ter:ActionNotSupported');
    const broken = await post(cam.deviceServiceUrl, '<s:Envelope><s:Body>');
    expect(broken.status).toBe(400);
    expect(broken.text).toContain('ter:WellFormed');
    const big = await post(cam.deviceServiceUrl, soap(`<x>${'a'.repeat(70 * 1024)}</x>`));
    expect(big.status).toBe(413);
  });

  it('refuses connections while stopped and comes back on the same port', async () => {
    const cam = await sim();
    const port = cam.port;
    await cam.stop();
    await expect(fetch(cam.deviceServiceUrl, { method: 'POST', body: '' })).rejects.toThrow();
    await cam.start();
    expect(cam.port).toBe(port);
    expect((await post(cam.deviceServiceUrl, soap(GDI, security('pw')))).status).toBe(200);
  });

  it('accepts but never answers under the slow fault', async () => {
    const cam = await sim();
    cam.setFault('slow');
    const req = fetch(cam.deviceServiceUrl, { method: 'POST', body: soap(GDI), signal: AbortSignal.timeout(300) });
    await expect(req).rejects.toThrow(/abort|timeout/i);
    expect(cam.requestCount).toBe(1);
  });
});
