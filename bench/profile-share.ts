// What share of a process's busy time went to given functions, from a V8 CPU profile
// (node --cpu-prof): inclusive time of each (the function and all it called), and with --under
// the self time of everything called beneath the first one. Idle samples are left out.
// Run: node dist/bench/profile-share.js <file.cpuprofile> <name[@file]>... [--under]
//      node dist/bench/profile-share.js CPU.*.cpuprofile leave@propagate.js flushTurn@master.js --under
// `name@file` matches a function by name and the last part of its script's path (file.js).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const under = args.includes('--under');
const [file, ...names] = args.filter((a) => a !== '--under');
if (file === undefined || names.length === 0) {
  console.error('usage: node dist/bench/profile-share.js <file.cpuprofile> <name[@file]>... [--under]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map<number, ProfileNode>();
const parent = new Map<number, number>();
for (const n of profile.nodes) {
  byId.set(n.id, n);
  for (const c of n.children ?? []) parent.set(c, n.id);
}
const nameOf = (n: ProfileNode): string => `${n.callFrame.functionName}@${n.callFrame.url.split('/').pop() ?? ''}`;
const matches = (n: ProfileNode, want: string): boolean => {
  const k = nameOf(n);
  return want.includes('@') ? k === want : k.startsWith(`${want}@`);
};

let busy = 0;
const inclusive = new Map<string, number>(names.map((x) => [x, 0]));
const selfUnder = new Map<string, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const leaf = byId.get(profile.samples[i]);
  const dt = profile.timeDeltas[i] ?? 0;
  if (leaf === undefined || leaf.callFrame.functionName === '(idle)') continue;
  busy += dt;
  const seen = new Set<string>();
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const n = byId.get(id) as ProfileNode;
    for (const want of names) {
      if (seen.has(want) || !matches(n, want)) continue;
      seen.add(want);
      inclusive.set(want, (inclusive.get(want) ?? 0) + dt);
      if (under && want === names[0]) {
        const k = `${nameOf(leaf)}:${leaf.callFrame.lineNumber}`;
        selfUnder.set(k, (selfUnder.get(k) ?? 0) + dt);
      }
    }
  }
}
const ms = (us: number): string => (us / 1000).toFixed(0);
console.log(`busy ${ms(busy)} ms`);
for (const [k, v] of inclusive) console.log(`  ${k}: ${ms(v)} ms inclusive, ${((100 * v) / busy).toFixed(1)} % of busy`);
if (under) {
  console.log(`self time under ${names[0]}:`);
  for (const [k, v] of [...selfUnder].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${ms(v).padStart(6)} ms  ${k}`);
}
