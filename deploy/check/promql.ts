/**
 * PromQL expressions: parsed with Prometheus's own lezer grammar (the one its web UI uses), and the metric
 * names they select extracted so they can be compared with what the code exports.
 */
import { parser } from '@prometheus-io/lezer-promql';

/** A parsed expression: its syntax errors (empty when it parses), the metric names and the jobs it selects. */
export interface ParsedExpression {
  errors: string[];
  metrics: string[];
  /** Values of `job` matchers (`=` and the alternatives of a plain `=~` list). */
  jobs: string[];
}

/** Grafana's variables become values PromQL accepts, so dashboard queries parse as Prometheus will see them. */
export function substituteGrafanaVariables(expression: string): string {
  return expression.replace(/\$__(rate_)?interval|\$__range/g, '5m').replace(/\$\{?(\w+)\}?/g, 'var_$1');
}

/** Functions whose first argument is a range vector (`x[5m]` or a subquery); promtool rejects anything else. */
const rangeFunctions: ReadonlySet<string> = new Set([
  'rate',
  'irate',
  'increase',
  'delta',
  'idelta',
  'deriv',
  'predict_linear',
  'changes',
  'resets',
  'absent_over_time',
  'present_over_time',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'sum_over_time',
  'count_over_time',
  'quantile_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'last_over_time',
]);

/** Parses one expression. */
export function parsePromQL(expression: string): ParsedExpression {
  const tree = parser.parse(expression);
  const errors: string[] = [];
  const metrics = new Set<string>();
  const jobs = new Set<string>();
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(
          `syntax error at offset ${node.from}: ${JSON.stringify(expression.slice(node.from, node.from + 20))}`,
        );
      }
      if (node.name === 'VectorSelector') {
        const identifier = node.node.getChild('Identifier');
        if (identifier) metrics.add(expression.slice(identifier.from, identifier.to));
        // {__name__="metric"} selects by name too.
        const byName = /__name__\s*=\s*"([^"]+)"/.exec(expression.slice(node.from, node.to));
        if (byName?.[1]) metrics.add(byName[1]);
      }
      if (node.name === 'FunctionCall') {
        const identifier = node.node.getChild('FunctionIdentifier');
        const name = identifier ? expression.slice(identifier.from, identifier.to) : '';
        const body = node.node.getChild('FunctionCallBody');
        if (rangeFunctions.has(name) && body) {
          // Arguments are the body's expression children; quantile_over_time takes the range second.
          const args: string[] = [];
          for (let child = body.firstChild; child; child = child.nextSibling) {
            if (child.type.isError || child.name === '(' || child.name === ')' || child.name === ',') continue;
            args.push(child.name);
          }
          const range = name === 'quantile_over_time' ? args[1] : args[0];
          if (range !== 'MatrixSelector' && range !== 'SubqueryExpr') {
            errors.push(`${name}() needs a range vector such as x[5m], got ${range ?? 'nothing'}`);
          }
        }
      }
      if (node.name === 'UnquotedLabelMatcher') {
        const matcher = /^job\s*(=~|=)\s*"([^"]*)"$/.exec(expression.slice(node.from, node.to));
        const [, operator, value] = matcher ?? [];
        if (operator === '=' && value) jobs.add(value);
        if (operator === '=~' && value && /^[\w|-]+$/.test(value)) for (const job of value.split('|')) jobs.add(job);
      }
    },
  });
  if (expression.trim() === '') errors.push('empty expression');
  return { errors, metrics: [...metrics].sort(), jobs: [...jobs].sort() };
}
