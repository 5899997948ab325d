// Errors: the error rate split by errorType, parse failures of structured output, and tool errors per tool.

import {timeChart} from '../charts.js';
import {fmtPercent, section} from '../dom.js';
import {Mounts, page, series} from './common.js';

export default async function errors(ctx) {
  const [byType, parse, tools] = await Promise.all([
    series('error_rate', ctx.range, {groupBy: 'errorType'}),
    series('parse_failure_rate', ctx.range, {groupBy: 'feature'}),
    series('tool_error_rate', ctx.range, {groupBy: 'tool'}),
  ]);
  // the group without an errorType holds the successful calls (rate 0); keep it only if it has errors
  const types = byType.filter(s => (s.group.errorType !== null && s.group.errorType !== '')
    || s.points.some(p => p.value > 0));
  const mounts = new Mounts();
  return {
    node: page('Errors', 'Rates are shares of the LLM calls (tool errors: of the tool calls) in each bucket; the error types add up to the error rate.',
      section('Error rate by type', mounts.add(timeChart({id: 'errors-by-type', title: 'Error rate by errorType', series: types, format: fmtPercent}))),
      section('Parse failures', mounts.add(timeChart({id: 'parse-failures', title: 'Structured output that did not parse, per feature', series: parse, format: fmtPercent}))),
      section('Tool errors', mounts.add(timeChart({id: 'tool-errors', title: 'Tool error rate per tool', series: tools, format: fmtPercent})))),
    mounts: mounts.list,
  };
}
