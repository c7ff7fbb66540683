// redact(): every credential shape of issue 8 §3 is masked, the text around it kept, and nothing else touched.
import { describe, expect, it } from 'vitest';
import { redact, redactingStream, redactUrl } from './redact.ts';

const SECRET = 'Zq7kLeak9';

describe('redact', () => {
  it.each([
    ['rtsp://admin:Zq7kLeak9@10.0.0.5:554/stream1', 'rtsp://admin:***@10.0.0.5:554/stream1'],
    ['ffmpeg -i rtsp://admin:Zq7k@Leak9@cam/live failed', 'ffmpeg -i rtsp://admin:***@cam/live failed'],
    ['postgres://camfleet:Zq7kLeak9@db:5432/camfleet', 'postgres://camfleet:***@db:5432/camfleet'],
    ['GET /x?user=a&password=Zq7kLeak9&b=1', 'GET /x?user=a&password=***&b=1'],
    ['onvif: { username: u, password: Zq7kLeak9 }', 'onvif: { username: u, password: *** }'],
    ['pass:Zq7kLeak9 next', 'pass:*** next'],
    ['mqttPassword=Zq7kLeak9', 'mqttPassword=***'],
    ['snmp community=Zq7kLeak9 port=161', 'snmp community=*** port=161'],
    ['{"username":"u","password":"Zq7kLeak9","port":80}', '{"username":"u","password":"***","port":80}'],
    ['{"password": "Zq7k\\"Leak9"}', '{"password": "***"}'],
    ['{"msg":"sent {\\"password\\":\\"Zq7kLeak9\\"} ok"}', '{"msg":"sent {\\"password\\":\\"***\\"} ok"}'],
    ["password='Zq7k Leak9' rest", "password='***' rest"],
    ['Authorization: Basic YWRtaW46WnE3a0xlYWs5', 'Authorization: ***'],
    ['authorization: Digest username="admin", realm="cam", nonce="abc", uri="/", response="6629fae49393a05397450978507c4ef1"', 'authorization: ***'],
    ['{"headers":{"authorization":"Bearer cft_abcdefghijkl012345"}}', '{"headers":{"authorization":"***"}}'],
    ['Cookie: camfleet_session=abcdef123', 'Cookie: ***'],
    ['token Bearer abc.def-ghi', 'token Bearer ***'],
    ['using cft_testAdminTokenNotSecret0123456789abcdefghi now', 'using cft_*** now'],
    ['Digest username="admin", response="6629fae49393a05397450978507c4ef1", qop=auth', 'Digest username="admin", response="***", qop=auth'],
    ['<wsse:Password Type="…#PasswordDigest">q8Vn/Zq7kLeak9=</wsse:Password>', '<wsse:Password Type="…#PasswordDigest">***</wsse:Password>'],
  ])('%s', (input, expected) => {
    expect(redact(input)).toBe(expected);
    expect(redact(expected)).toBe(expected); // idempotent
  });

  it('leaves ordinary log lines alone', () => {
    for (const line of [
      'connected to mqtts://mqtt.example.net:8883 (MQTT 5)',
      'site.yaml:12 mqtt.passwordFile: cannot read "/etc/camfleet/mqtt.password": no such file',
      'device cam1: bypass: true, tokens=5, passage free',
      'http://127.0.0.1:8080/api/v1/sites and user@example.net',
      'outbox full (64 MB): dropped 3 oldest messages (120 samples)',
    ]) {
      expect(redact(line)).toBe(line);
    }
  });

  it('redacts every line a pino stream writes', () => {
    const lines: string[] = [];
    const stream = redactingStream((l) => lines.push(l));
    stream.write(`{"level":40,"msg":"cannot reach rtsp://a:${SECRET}@h/x"}\n`);
    expect(lines).toEqual(['{"level":40,"msg":"cannot reach rtsp://a:***@h/x"}\n']);
  });

  it('redactUrl masks a URL password only', () => {
    expect(redactUrl(`mqtt://site:${SECRET}@broker:1883`)).toBe('mqtt://site:***@broker:1883');
    expect(redactUrl('mqtt://broker:1883')).toBe('mqtt://broker:1883');
  });
});
