import { describe, expect, it } from 'vitest';
import { addressProblem, isCalendarDate } from './rules.ts';

describe('addressProblem', () => {
  it.each(['192.168.1.10', '::1', 'fd00:8::11', 'fe80::1%eth0', 'cam-01', 'cam1.shop.example.net', 'gw.local.'])(
    'accepts %s',
    (address) => expect(addressProblem(address)).toBeUndefined(),
  );
  it.each(['192.168.1.300', '10.0.0', 'under_score', '-lead.example', 'a..b', 'space here', '[::1]', 'x'.repeat(64)])(
    'rejects %s',
    (address) => expect(addressProblem(address)).toMatch(/is not an IPv4 address, IPv6 address or host name/),
  );
  it('explains URLs and host:port', () => {
    expect(addressProblem('http://10.0.0.1/')).toBe('"http://10.0.0.1/" is a URL; give only the host name or IP address');
    expect(addressProblem('cam1:80')).toMatch(/includes a port/);
  });
});

describe('isCalendarDate', () => {
  it.each(['2024-02-29', '2023-12-31', '2000-02-29'])('accepts %s', (d) => expect(isCalendarDate(d)).toBe(true));
  it.each(['2024-02-30', '2023-02-29', '1900-02-29', '2023-13-01', '2023-00-10', '2023-04-31', '2023-01-00'])(
    'rejects %s',
    (d) => expect(isCalendarDate(d)).toBe(false),
  );
});
