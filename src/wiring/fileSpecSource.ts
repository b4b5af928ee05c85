/**
 * Workload specs from `workloads.yaml` (or `.json`) for the single process and
 * for keeping specs in git. Read on every load, so an edit applies to the next
 * run without a restart. A missing file is "no workloads" with a hint, not a crash.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { SpecLoad } from '../core/workloads/schedulerRows.js';
import { specsFromDocument } from '../core/workloads/specFile.js';
import type { WorkloadSpecSource } from '../ports/workloadSpecSource.js';

export class FileWorkloadSpecSource implements WorkloadSpecSource {
  constructor(readonly origin: string) {}

  async load(): Promise<SpecLoad> {
    let text: string;
    try {
      text = await readFile(this.origin, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return {
          specs: [],
          problems: [`${this.origin} does not exist; create it (see docs: workloads) or set WORKLOADS_FILE`],
        };
      }
      return { specs: [], problems: [`${this.origin} cannot be read: ${(err as Error).message}`] };
    }
    let doc: unknown;
    try {
      // YAML is a superset of JSON, so one parser reads both formats.
      doc = parse(text);
    } catch (err) {
      return {
        specs: [],
        problems: [`${this.origin} is not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`],
      };
    }
    const load = specsFromDocument(doc);
    return { specs: load.specs, problems: load.problems.map((p) => `${this.origin}: ${p}`) };
  }
}
