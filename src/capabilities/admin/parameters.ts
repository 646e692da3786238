/**
 * The parameters `SetParameter` may change, as `{name, value}` (docs/tokenomics.md): for now one fee cell,
 * `fees.<TYPE>.<SCOPE>`, whose value is its band array.
 */
import { z } from 'zod';

const band = z.strictObject({
  minAmount: z.string().regex(/^(0|[1-9]\d{0,30})$/),
  bps: z.number().int().min(0).max(1000),
});

export const feeCellSchema = z.strictObject({
  name: z.string().regex(/^fees\.(P2P|MERCHANT|GOVERNMENT|B2B)\.(LOCAL|CROSS_BORDER)$/, 'must be fees.<TYPE>.<SCOPE>'),
  value: z.array(band).min(1),
});
