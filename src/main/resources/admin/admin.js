// Astralboot status page: the machines table from /api/v1/machines, kept live by the server-sent
// event stream /api/v1/events. No build step, no external code: machines' networks have no internet.
'use strict';
(function () {
  const STEPS = ['dhcp', 'first_stage', 'menu', 'kernel', 'initrd', 'running', 'installed'];
  const NAMES = {dhcp: 'DHCP', first_stage: 'first stage', menu: 'menu', kernel: 'kernel', initrd: 'initrd',
    running: 'kernel running', installed: 'installed'};
  const m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (m) { sessionStorage.setItem('astralboot-token', decodeURIComponent(m[1])); history.replaceState(null, '', location.pathname); }
  const token = sessionStorage.getItem('astralboot-token') || '';
  const machines = new Map();
  let open = null;

  function api(path) {
    return fetch(path, {headers: token ? {Authorization: 'Bearer ' + token} : {}}).then(r => {
      if (r.status === 401) { document.getElementById('auth').hidden = false; throw new Error('401'); }
      if (!r.ok) throw new Error(path + ': ' + r.status);
      return r.json();
    });
  }
  function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  function bytes(n) { if (!n) return '–'; const u = ['B', 'KB', 'MB', 'GB']; let i = 0; while (n >= 1024 && i < 3) { n /= 1024; i++; } return n.toFixed(i ? 1 : 0) + ' ' + u[i]; }
  function secs(s) { return s >= 60 ? Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s' : (Math.round(s * 10) / 10) + ' s'; }
  function stepIndex(s) { return STEPS.indexOf(s); }
  // As the server's MachineBoard.startsABoot: a row only moves forward within a boot, so iPXE's own
  // DHCP after the first stage keeps it there; DHCP after the first stage, or the firmware's again
  // once the first stage was sent, or more than 60 s after the boot began, is a new boot.
  function fromIpxe(ev) { return ev.detail === 'iPXE' || (ev.detail || '').startsWith('iPXE,'); }
  function startsABoot(mc, ev) {
    if (mc.boot_started && Date.parse(ev.time) - Date.parse(mc.boot_started) > 60000) return true;
    const at = stepIndex(mc.step), first = stepIndex('first_stage');
    return at > first || (at === first && !fromIpxe(ev));
  }

  function row(mc) {
    const tr = el('tr');
    tr.dataset.mac = mc.mac;
    tr.dataset.step = mc.step || 'none';
    tr.id = 'm-' + mc.mac.replace(/:/g, '');
    const who = el('td');
    who.append(el('div', 'mac', mc.mac), el('div', 'sub', [mc.hostname, mc.ip, mc.firmware].filter(Boolean).join(' · ')));
    const prog = el('td');
    const steps = el('div', 'steps');
    const at = stepIndex(mc.step);
    const finished = mc.step === 'installed' || mc.state === 'installed';
    STEPS.forEach((s, i) => {
      const sp = el('span', '', NAMES[s]);
      if (finished && i <= Math.max(at, 0)) sp.className = 'fin';
      else if (i < at) sp.className = 'done';
      else if (i === at) sp.className = 'now';
      steps.append(sp);
    });
    prog.append(steps);
    if (mc.last_error) { prog.append(el('div', 'err', mc.last_error)); tr.dataset.error = mc.last_error; }
    const os = el('td', 'wide');
    os.append(el('div', '', mc.os ? mc.os + (mc['class'] ? '/' + mc['class'] : '') : '–'), el('div', 'sub', mc.state));
    const last = el('td', 'wide');
    last.append(el('div', '', mc.last_event || '–'), el('div', 'sub', mc.boot_seconds !== undefined && mc.step !== 'none' ? 'boot ' + secs(mc.boot_seconds) : ''));
    const sent = el('td', 'wide', bytes(mc.bytes));
    tr.append(who, prog, os, last, sent);
    tr.addEventListener('click', () => timeline(mc.mac));
    return tr;
  }

  function render(changed) {
    const body = document.querySelector('#machines tbody');
    const list = [...machines.values()].sort((a, b) => (b.last_seen || '').localeCompare(a.last_seen || '') || a.mac.localeCompare(b.mac));
    body.replaceChildren(...list.map(mc => { const r = row(mc); if (changed && changed.has(mc.mac)) r.classList.add('flash'); return r; }));
    document.getElementById('empty').hidden = list.length > 0;
    document.getElementById('c-machines').textContent = list.length;
    document.getElementById('c-booting').textContent = list.filter(mc => mc.step !== 'none' && mc.step !== 'installed' && mc.state !== 'installed'
      && mc.last_seen && Date.now() - Date.parse(mc.last_seen) < 600000).length;
  }

  function load(changed) {
    return api('/api/v1/machines').then(list => { machines.clear(); list.forEach(mc => machines.set(mc.mac, mc)); render(changed); });
  }
  function bar(id, used, of) {
    const b = document.getElementById(id);
    const pct = of > 0 ? Math.min(100, Math.round(used * 100 / of)) : 0;
    b.style.width = pct + '%';
    b.parentElement.hidden = !(of > 0);
    b.parentElement.title = pct + ' %';
    b.classList.toggle('full', pct >= 90);
  }
  function status() {
    api('/api/v1/status').then(s => {
      document.getElementById('server').textContent = [s.server, s.server6, s['interface'], 'DHCP ' + s.dhcp_mode, s.dhcp6_mode && s.dhcp6_mode !== 'off' ? 'DHCPv6 ' + s.dhcp6_mode : ''].filter(Boolean).join(' · ');
      const problems = (s.ipfs_ref_problems || []).length;
      const tree = document.getElementById('c-tree');
      tree.textContent = (s.boot_tree || '–') + (s.ipfs_fetches !== undefined ? ' · ' + s.ipfs_fetches + ' IPFS fetches' : '');
      tree.classList.toggle('error', problems > 0);
      if (problems > 0) tree.textContent += ' · ' + problems + ' ref problem' + (problems > 1 ? 's' : '') + ': ' + s.ipfs_ref_problems.join('; ');
      tree.title = tree.textContent;
      const l = s.leases;
      document.getElementById('c-leases').textContent = l ? l.bound + ' / ' + l.pool + ' bound' : 'none';
      const b6 = s.bindings6;
      document.getElementById('c-leases-sub').textContent = (l ? l.free + ' free' + (l.offered ? ' · ' + l.offered + ' offered' : '')
        : (s.dhcp_mode === 'proxy' ? 'proxyDHCP: another server leases' : 'DHCP off'))
        + (b6 ? ' · DHCPv6 ' + b6.bound + ' bound' + (b6.declined ? ', ' + b6.declined + ' declined' : '') : '');
      bar('c-leases-bar', l ? l.pool - l.free : 0, l ? l.pool : 0);
      const node = s.ipfs_node;
      document.getElementById('card-node').hidden = !node;
      if (node) {
        const v = document.getElementById('c-node');
        v.textContent = node.up ? 'up' : 'unreachable';
        v.className = 'value ' + (node.up ? 'ok' : 'error');
        document.getElementById('c-node-sub').textContent = node.api + (node.up ? '' : ' · serving cached files only')
          + (s.ipfs_verification_failures ? ' · ' + s.ipfs_verification_failures + ' blocks refused (not their CID)' : '');
        document.getElementById('c-node-sub').classList.toggle('error', !!s.ipfs_verification_failures);
      }
      document.getElementById('card-cache').hidden = s.cache_bytes === undefined;
      if (s.cache_bytes !== undefined) {
        document.getElementById('c-cache').textContent = bytes(s.cache_bytes) + ' / ' + bytes(s.cache_max_bytes);
        bar('c-cache-bar', s.cache_bytes, s.cache_max_bytes);
        const reads = (s.cache_hits || 0) + (s.cache_misses || 0);
        document.getElementById('c-cache-sub').textContent = (reads ? Math.round((s.cache_hits || 0) * 100 / reads) + ' % hits of '
          + reads + ' reads' : 'no reads yet') + ' · ' + (s.cache_evictions || 0) + ' evicted';
      }
    }).catch(() => {});
  }

  // An event moves its row at once; the full record follows from the API shortly after.
  let pending = new Set();
  let timer = null;
  function onEvent(ev) {
    if (!ev.mac) return;
    let mc = machines.get(ev.mac);
    if (!mc) { mc = {mac: ev.mac, state: 'unknown', os: '', ip: '', firmware: '', step: 'none', bytes: 0}; machines.set(ev.mac, mc); }
    if (ev.ip) mc.ip = ev.ip;
    // DHCP's architecture (bios, efi-x64) stays; HTTP's "iPXE" only fills a blank, as on the server.
    if (ev.firmware && (!mc.firmware || ev.kind.startsWith('dhcp_') || ev.kind.startsWith('dhcp6_'))) mc.firmware = ev.firmware;
    if (ev.kind === 'http_choice' && ev.detail) { mc.os = ev.detail.split(' ')[0]; mc.state = 'chosen'; }
    if ((ev.kind === 'dhcp_discover' || ev.kind === 'dhcp6_solicit') && startsABoot(mc, ev)) { mc.step = 'none'; mc.last_error = ''; mc.bytes = 0; }
    if (stepIndex(ev.step) > stepIndex(mc.step)) mc.step = ev.step;
    if (ev.failure) mc.last_error = ev.kind + ': ' + ev.detail;
    if (ev.bytes > 0) mc.bytes = (mc.bytes || 0) + ev.bytes;
    mc.last_event = ev.kind + (ev.detail ? ' ' + ev.detail : '');
    mc.last_seen = ev.time;
    pending.add(ev.mac);
    render(new Set([ev.mac]));
    if (open === ev.mac) appendEvent(ev);
    clearTimeout(timer);
    timer = setTimeout(() => { const c = pending; pending = new Set(); load(c).catch(() => {}); }, 800);
  }

  function connect() {
    const live = document.getElementById('live');
    const es = new EventSource('/api/v1/events' + (token ? '?token=' + encodeURIComponent(token) : ''));
    es.onopen = () => { live.textContent = 'live'; live.className = 'badge on'; load().catch(() => {}); };
    es.addEventListener('boot', e => onEvent(JSON.parse(e.data)));
    es.onerror = () => { live.textContent = 'reconnecting'; live.className = 'badge off'; };
  }

  function appendEvent(ev) {
    const li = el('li', ev.failure ? 'failure' : '');
    li.append(el('time', '', ev.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z')), document.createTextNode(
      ev.kind + (ev.detail ? ' ' + ev.detail : '') + (ev.bytes >= 0 ? ' · ' + bytes(ev.bytes) : '')
      + (ev.millis > 0 ? ' in ' + secs(ev.millis / 1000) + (ev.bytes > 0 ? ' (' + bytes(ev.bytes * 1000 / ev.millis) + '/s)' : '') : '')));
    document.getElementById('tl-list').append(li);
  }
  function timeline(mac) {
    open = mac;
    document.getElementById('tl-title').textContent = mac;
    document.getElementById('tl-list').replaceChildren();
    document.getElementById('timeline').hidden = false;
    api('/api/v1/machines/' + mac.replace(/:/g, '-') + '/events').then(list => list.forEach(appendEvent)).catch(() => {});
  }
  document.getElementById('tl-close').addEventListener('click', () => { open = null; document.getElementById('timeline').hidden = true; });

  load().catch(() => {});
  status();
  setInterval(status, 10000);
  connect();
})();
