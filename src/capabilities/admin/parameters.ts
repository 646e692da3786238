/**
 * The parameters `SetParameter` may change, as `{name, value}` (docs/tokenomics.md): for now a fee cell,
 * `fees.<TYPE>.<SCOPE>`, whose value is its band array, checked with the chaincode's own schema.
 */
import { feeBandsSchema, feeParameterNames } from '@gx/chaincode';
import { z } from 'zod';

export const feeCellSchema = z.strictObject({ name: z.enum(feeParameterNames), value: feeBandsSchema });
