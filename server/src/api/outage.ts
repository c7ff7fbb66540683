// Outage accounting API (DOMAIN §5): GET /api/v1/outages?month=YYYY-MM[&site=…][&format=csv].
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { IdSchema } from '@camfleet/shared';
import type { CaseService } from '../cases/service.ts';
import { ApiError } from '../http/errors.ts';
import { monthRange } from '../outage/accounting.ts';
import { buildReport, intervalsFromRows, reportCsv } from '../outage/report.ts';

const Query = Type.Object({
  month: Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'YYYY-MM, a calendar month in Japan time' }),
  site: Type.Optional(IdSchema),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
});

const LOOKBACK_MS = 35 * 86_400_000;

export default async function outageApi(app: FastifyInstance, opts: { cases: CaseService }) {
  const { cases } = opts;
  app.get('/api/v1/outages', { schema: { tags: ['outages'], summary: 'Monthly outage report by side of the boundary (JSON or CSV)', querystring: Query } }, async (req, reply) => {
    const q = req.query as { month: string; site?: string; format?: 'json' | 'csv' };
    const range = monthRange(q.month);
    if (!range) throw new ApiError('validation-failed', 'month: must be YYYY-MM with a month from 01 to 12', 'month');
    const now = cases.clock();
    // A period may have begun in an earlier month through causes that ended before this one began: read causes
    // active up to LOOKBACK before the month so such a period keeps its true start (and length).
    const rows = await cases.queries.siteWide(range.from - LOOKBACK_MS, range.to, q.site);
    const report = buildReport(q.month, intervalsFromRows(rows), now)!;
    if (q.format === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="camfleet-outages-${q.month}.csv"`)
        .send(reportCsv(report));
    }
    return report;
  });
}
