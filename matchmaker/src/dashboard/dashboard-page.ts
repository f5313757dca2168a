/**
 * The dashboard page: one self-contained HTML document (no build step, no outside requests)
 * that follows `/dashboard/events` and draws the snapshot: counters, two small charts
 * (placements and latency over the last five minutes), and tables of servers, players,
 * deployments starting, waiting tickets and recent errors. `window.__dashboard` holds the last
 * snapshot and an update count, for tests.
 */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>playgap dashboard</title>
<style>
  :root { color-scheme: dark; --bg: #0f1419; --panel: #182029; --line: #2a3642; --text: #d8e1ea;
    --dim: #8595a5; --ok: #4cc38a; --warn: #e5b454; --bad: #ef6b6b; --accent: #5aa9f0; }
  * { box-sizing: border-box; }
  body { margin: 0; background: var(--bg); color: var(--text);
    font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
  header { display: flex; align-items: baseline; gap: 16px; padding: 14px 20px;
    border-bottom: 1px solid var(--line); }
  header h1 { font-size: 18px; margin: 0; }
  header .meta { color: var(--dim); }
  #link { margin-left: auto; font-size: 12px; }
  #link.live { color: var(--ok); } #link.down { color: var(--bad); }
  main { padding: 16px 20px; display: grid; gap: 16px; grid-template-columns: repeat(12, 1fr); }
  section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
    padding: 12px 14px; min-width: 0; }
  section h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--dim);
    margin: 0 0 8px; font-weight: 600; }
  .counter { grid-column: span 3; }
  .counter .value { font-size: 28px; font-weight: 600; }
  .counter .sub { color: var(--dim); font-size: 12px; }
  .chart { grid-column: span 6; }
  .wide { grid-column: span 12; }
  .half { grid-column: span 6; }
  svg { width: 100%; height: 90px; display: block; }
  table { width: 100%; border-collapse: collapse; font-size: 13px; }
  th { text-align: left; color: var(--dim); font-weight: 500; padding: 4px 6px;
    border-bottom: 1px solid var(--line); }
  td { padding: 4px 6px; border-bottom: 1px solid #1f2933; white-space: nowrap;
    overflow: hidden; text-overflow: ellipsis; max-width: 260px; }
  td.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
  .empty { color: var(--dim); font-style: italic; padding: 6px; }
  .bar { display: inline-block; width: 80px; height: 8px; background: #26313c; border-radius: 4px;
    vertical-align: middle; margin-right: 6px; overflow: hidden; }
  .bar span { display: block; height: 100%; background: var(--accent); }
  .state-ready, .state-connected { color: var(--ok); }
  .state-starting, .state-reserved, .state-grace { color: var(--warn); }
  .state-failed, .state-draining, .state-stopping { color: var(--bad); }
  .code { color: var(--bad); font-weight: 600; }
  .legend { font-size: 12px; color: var(--dim); }
  .legend b { font-weight: 500; }
  @media (max-width: 900px) { .counter { grid-column: span 6; } .chart, .half { grid-column: span 12; } }
</style>
</head>
<body>
<header>
  <h1>playgap</h1>
  <span class="meta" id="app">connecting…</span>
  <span id="link" class="down">offline</span>
</header>
<main>
  <section class="counter"><h2>Servers</h2><div class="value" id="c-servers">–</div>
    <div class="sub" id="c-seats"></div></section>
  <section class="counter"><h2>Players</h2><div class="value" id="c-players">–</div>
    <div class="sub" id="c-reserved"></div></section>
  <section class="counter"><h2>Placements / s</h2><div class="value" id="c-rate">–</div>
    <div class="sub" id="c-total"></div></section>
  <section class="counter"><h2>Errors</h2><div class="value" id="c-errors">–</div>
    <div class="sub" id="c-error-rate"></div></section>
  <section class="chart"><h2>Placements (per 5 s, last 5 min)</h2><svg id="chart-rate"></svg>
    <div class="legend"><b style="color:var(--accent)">placed</b> · <b style="color:var(--bad)">errors</b></div></section>
  <section class="chart"><h2>Latency (ms, last 5 min)</h2><svg id="chart-latency"></svg>
    <div class="legend"><b style="color:var(--ok)">p50</b> · <b style="color:var(--warn)">p99</b> · peak <span id="peak">–</span></div></section>
  <section class="wide"><h2>Servers</h2><div id="servers"></div></section>
  <section class="half"><h2>Players</h2><div id="players"></div></section>
  <section class="half"><h2>Deployments starting</h2><div id="deployments"></div>
    <h2 style="margin-top:14px">Waiting tickets</h2><div id="tickets"></div></section>
  <section class="wide"><h2>Recent errors</h2><div id="errors"></div></section>
</main>
<script>
(() => {
  const $ = (id) => document.getElementById(id);
  const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const ago = (ms) => {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  };
  const clock = (at) => new Date(at).toLocaleTimeString();
  const table = (cols, rows, empty) => rows.length === 0
    ? '<div class="empty">' + esc(empty) + '</div>'
    : '<table><thead><tr>' + cols.map((c) => '<th>' + esc(c) + '</th>').join('') + '</tr></thead><tbody>' +
      rows.map((r) => '<tr>' + r.join('') + '</tr>').join('') + '</tbody></table>';
  const td = (v, cls) => '<td' + (cls ? ' class="' + cls + '"' : '') + ' title="' + esc(v) + '">' + esc(v) + '</td>';
  const stateTd = (v) => '<td class="state-' + esc(v) + '">' + esc(v) + '</td>';

  function line(points, key, max, color, w, h) {
    if (points.length < 2) return '';
    const step = w / (points.length - 1);
    const d = points.map((p, i) => {
      const v = p[key];
      const y = v == null ? h : h - (v / max) * (h - 4);
      return (i ? 'L' : 'M') + (i * step).toFixed(1) + ' ' + y.toFixed(1);
    }).join(' ');
    return '<path d="' + d + '" fill="none" stroke="' + color + '" stroke-width="1.8"/>';
  }
  function chart(id, points, series) {
    const svg = $(id);
    const w = svg.clientWidth || 400, h = svg.clientHeight || 90;
    const max = Math.max(1, ...points.flatMap((p) => series.map(([k]) => p[k] ?? 0)));
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    svg.innerHTML = '<line x1="0" y1="' + (h - 0.5) + '" x2="' + w + '" y2="' + (h - 0.5) + '" stroke="#2a3642"/>' +
      series.map(([k, color]) => line(points, k, max, color, w, h)).join('');
    return max;
  }

  function render(s) {
    const now = s.at;
    $('app').textContent = s.app + ' · versions ' + s.versions.join(', ') + ' · matchmaker ' + s.instanceId;
    const seats = s.servers.reduce((a, v) => a + v.capacity, 0);
    const used = s.servers.reduce((a, v) => a + v.used, 0);
    const connected = s.players.filter((p) => p.state === 'connected').length;
    const away = s.players.filter((p) => p.state === 'grace').length;
    $('c-servers').textContent = s.servers.length;
    $('c-seats').textContent = used + ' of ' + seats + ' seats taken';
    $('c-players').textContent = connected;
    $('c-reserved').textContent = (s.players.length - connected - away) + ' on their way' +
      (away ? ' · ' + away + ' reconnecting' : '');
    const recent = s.series.slice(-2);
    const perSecond = recent.reduce((a, p) => a + p.placements, 0) / (recent.length * 5);
    $('c-rate').textContent = perSecond.toFixed(perSecond < 10 ? 1 : 0);
    $('c-total').textContent = s.totals.placements + ' placed since start';
    $('c-errors').textContent = s.totals.errors;
    $('c-error-rate').textContent = s.errors[0] ? 'last: ' + s.errors[0].code : 'none yet';
    chart('chart-rate', s.series, [['placements', 'var(--accent)'], ['errors', 'var(--bad)']]);
    const peak = chart('chart-latency', s.series, [['p50Ms', 'var(--ok)'], ['p99Ms', 'var(--warn)']]);
    $('peak').textContent = s.series.some((p) => p.p99Ms != null) ? peak + ' ms' : '–';

    $('servers').innerHTML = table(['Server', 'Version', 'State', 'Seats', 'Players', 'Location', 'Up for'],
      s.servers.map((v) => [td(v.id, 'mono'), td(v.version), stateTd(v.state),
        '<td><span class="bar"><span style="width:' + (v.capacity ? Math.round((v.used / v.capacity) * 100) : 0) + '%"></span></span>' +
          esc(v.used + ' / ' + v.capacity) + ' <span style="color:var(--dim)">(' + esc(v.capacity - v.used) + ' free)</span></td>',
        td(v.players), td(v.location ?? '–'), td(ago(now - v.startedAt))]),
      'No servers yet: the first player to connect starts one.');
    $('players').innerHTML = table(['Name', 'Server', 'Seat', 'State', 'For'],
      s.players.map((p) => [td(p.name ?? '(no name)'), td(p.serverId, 'mono'), td(p.seat), stateTd(p.state),
        td(ago(now - p.since))]),
      'No players right now.');
    $('deployments').innerHTML = table(['Deployment', 'Version', 'State', 'Started', 'Promised'],
      s.deployments.map((d) => [td(d.requestId, 'mono'), td(d.version), stateTd(d.state),
        td(ago(now - d.startedAt) + ' ago'), td(d.promised + ' / ' + d.capacity)]),
      'Nothing starting.');
    $('tickets').innerHTML = table(
      ['Mode', 'Version', 'Tickets', 'Players'],
      s.tickets.map((q) => [td(q.mode), td(q.version), td(q.tickets), td(q.players)]),
      'No tickets waiting.',
    );
    $('errors').innerHTML = table(['Time', 'Code', 'Message'],
      s.errors.map((e) => [td(clock(e.at)), '<td class="code">' + esc(e.code) + '</td>', td(e.message)]),
      'No errors.');
  }

  window.__dashboard = { updates: 0, last: null };
  const source = new EventSource('/dashboard/events');
  source.onopen = () => { $('link').textContent = 'live'; $('link').className = 'live'; };
  source.onerror = () => { $('link').textContent = 'reconnecting…'; $('link').className = 'down'; };
  source.onmessage = (event) => {
    const snapshot = JSON.parse(event.data);
    window.__dashboard.last = snapshot;
    window.__dashboard.updates++;
    render(snapshot);
  };
})();
</script>
</body>
</html>
`;
