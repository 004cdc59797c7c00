// Makes package.json's shown texts localizable: every command title, view name, setting description,
// walkthrough text (and its step page, when media/walkthrough/zh-cn/ has one) that is still a literal
// becomes a %key% placeholder, its English goes to package.nls.json, and the keys that have no Chinese
// in package.nls.zh-cn.json yet are listed (add them there; test/unit/l10n.test.ts checks all of it).
//   node scripts/l10n-package.mjs          lists what would change
//   node scripts/l10n-package.mjs --write  rewrites package.json and package.nls.json
import fs from 'node:fs';

const write = process.argv.includes('--write');
const text = fs.readFileSync('package.json', 'utf8');
const pkg = JSON.parse(text);
if (`${JSON.stringify(pkg, null, 2)}\n` !== text) {
  console.error('package.json is not laid out as JSON.stringify(…, null, 2) writes it; nothing written');
  process.exit(2);
}
const readJson = (f) => (fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : {});
const en = readJson('package.nls.json');
const zh = readJson('package.nls.zh-cn.json');
const changed = [];

function loc(obj, field, key, zhValue) {
  const v = obj?.[field];
  if (typeof v !== 'string' || /^%[\w.-]+%$/.test(v)) return;
  if (en[key] !== undefined && en[key] !== v) throw new Error(`${key} already holds another text`);
  en[key] = v;
  if (zhValue !== undefined) zh[key] = zhValue;
  obj[field] = `%${key}%`;
  changed.push(key);
}

const short = (id) => id.replace(/^pretrainLab\./, '');
loc(pkg, 'displayName', 'displayName');
loc(pkg, 'description', 'description');
const c = pkg.contributes;
for (const cmd of c.commands ?? []) {
  loc(cmd, 'title', `command.${short(cmd.command)}.title`);
  loc(cmd, 'shortTitle', `command.${short(cmd.command)}.shortTitle`);
  loc(
    cmd,
    'category',
    cmd.category === 'Pretrain Lab' ? 'category' : `command.${short(cmd.command)}.category`,
  );
}
for (const s of c.submenus ?? []) loc(s, 'label', `submenu.${short(s.id)}.label`);
for (const list of Object.values(c.viewsContainers ?? {}))
  for (const v of list) loc(v, 'title', `viewsContainer.${short(v.id)}.title`);
for (const list of Object.values(c.views ?? {}))
  for (const v of list) {
    loc(v, 'name', `view.${short(v.id)}.name`);
    loc(v, 'contextualTitle', `view.${short(v.id)}.contextualTitle`);
  }
for (const w of c.viewsWelcome ?? []) loc(w, 'contents', `viewsWelcome.${short(w.view)}.contents`);
for (const w of c.walkthroughs ?? []) {
  const k = `walkthrough.${short(w.id)}`;
  loc(w, 'title', `${k}.title`);
  loc(w, 'description', `${k}.description`);
  for (const s of w.steps ?? []) {
    loc(s, 'title', `${k}.${s.id}.title`);
    loc(s, 'description', `${k}.${s.id}.description`);
    loc(s.media, 'altText', `${k}.${s.id}.altText`);
    // the step's page: its Chinese copy sits in a zh-cn folder beside it
    const page = s.media?.markdown;
    if (typeof page === 'string' && !page.startsWith('%')) {
      const zhPage = page.replace(/([^/]+)$/, 'zh-cn/$1');
      if (fs.existsSync(zhPage)) loc(s.media, 'markdown', `${k}.${s.id}.media`, zhPage);
      else console.log(`no Chinese page ${zhPage}: the step shows ${page} in every language`);
    }
  }
}
const confs = Array.isArray(c.configuration) ? c.configuration : [c.configuration];
for (const [i, conf] of confs.entries()) {
  if (!conf) continue;
  loc(conf, 'title', i ? `configuration.${i}.title` : 'configuration.title');
  for (const [name, p] of Object.entries(conf.properties ?? {})) {
    const k = `config.${short(name)}`;
    for (const f of [
      'description',
      'markdownDescription',
      'deprecationMessage',
      'markdownDeprecationMessage',
    ])
      loc(p, f, `${k}.${f}`);
    for (const f of ['enumDescriptions', 'markdownEnumDescriptions'])
      for (const j of (p[f] ?? []).keys()) loc(p[f], j, `${k}.${f}.${j}`);
  }
}
if (pkg.l10n === undefined) {
  const entries = Object.entries(pkg);
  const at = entries.findIndex(([k]) => k === 'main') + 1;
  entries.splice(at, 0, ['l10n', './l10n']);
  for (const k of Object.keys(pkg)) delete pkg[k];
  Object.assign(pkg, Object.fromEntries(entries));
  changed.push('l10n');
}

const sorted = (o) =>
  Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
console.log(
  changed.length ? `localizable now: ${changed.join(', ')}` : 'package.json is already localizable',
);
const untranslated = Object.keys(en).filter((k) => zh[k] === undefined);
if (untranslated.length) console.log(`add to package.nls.zh-cn.json: ${untranslated.join(', ')}`);
if (write && changed.length) {
  if (fs.readFileSync('package.json', 'utf8') !== text) {
    console.error('package.json changed while this ran; run it again');
    process.exit(2);
  }
  fs.writeFileSync('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
  fs.writeFileSync('package.nls.json', `${JSON.stringify(sorted(en), null, 2)}\n`);
  fs.writeFileSync('package.nls.zh-cn.json', `${JSON.stringify(sorted(zh), null, 2)}\n`);
}
