// Channel ids as the page shows them ("ds/testdata/random-20Hz-stream") and
// as they travel on the wire ("1/ds/testdata/random-20Hz-stream"), and the
// list the channel picker offers. No DOM.

// The streams Grafana's testdata data source (and Runnel's testdata plugin)
// serves, for every provisioned testdata data source and for plugin/testdata.
export const TESTDATA_STREAMS = [
  'random-20Hz-stream',
  'random-2s-stream',
  'random-flakey-stream',
  'random-labeled-stream',
];

export const TESTDATA_PLUGIN_TYPES = ['testdata', 'grafana-testdata-datasource', 'runnel-testdata-datasource'];
export const DEFAULT_TESTDATA_UID = 'testdata';
export const DEFAULT_ORG_ID = 1;

// "ds/x/y" → "1/ds/x/y"; an id that already starts with an org ("2/ds/x/y")
// is kept as typed. Whitespace around the id is dropped; nothing else is
// checked here: the host says whether the id is valid.
export function toWireChannel(id, orgId = DEFAULT_ORG_ID) {
  const trimmed = String(id ?? '').trim();
  return /^\d+\//.test(trimmed) ? trimmed : `${orgId}/${trimmed}`;
}

// "1/ds/x/y" → "ds/x/y".
export function fromWireChannel(wire) {
  return String(wire ?? '').replace(/^\d+\//, '');
}

// The uids of the testdata data sources in a GET /api/datasources answer
// (Grafana's shape: [{uid, type, ...}]); [] when the answer is not a list.
export function testdataUids(datasources) {
  if (!Array.isArray(datasources)) return [];
  return datasources
    .filter((ds) => ds && TESTDATA_PLUGIN_TYPES.includes(ds.type) && typeof ds.uid === 'string')
    .map((ds) => ds.uid);
}

// The uids of data sources seen in the active channels of GET /api/live/list
// (Grafana's shape: {channels: [{channel: "1/ds/<uid>/<path>", ...}]}) whose
// path is a testdata stream.
export function testdataUidsFromLive(live) {
  const uids = [];
  for (const channel of liveChannels(live)) {
    const parts = channel.split('/');
    if (parts.length === 3 && parts[0] === 'ds' && TESTDATA_STREAMS.includes(parts[2])) {
      uids.push(parts[1]);
    }
  }
  return uids;
}

// The active channels of a GET /api/live/list answer, without org prefix.
export function liveChannels(live) {
  const list = live && Array.isArray(live.channels) ? live.channels : [];
  return list
    .map((c) => (c && typeof c.channel === 'string' ? fromWireChannel(c.channel) : ''))
    .filter((c) => c.length > 0);
}

// What the picker offers, in order, without duplicates: the testdata streams
// of every testdata data source uid, those of plugin/testdata, then the
// active channels.
export function pickerChannels({ uids = [], live = null } = {}) {
  const all = [];
  const testdataUidsAll = [...uids, ...testdataUidsFromLive(live)];
  if (testdataUidsAll.length === 0) testdataUidsAll.push(DEFAULT_TESTDATA_UID);
  for (const uid of testdataUidsAll) {
    for (const stream of TESTDATA_STREAMS) all.push(`ds/${uid}/${stream}`);
  }
  for (const stream of TESTDATA_STREAMS) all.push(`plugin/testdata/${stream}`);
  all.push(...liveChannels(live));
  return [...new Set(all)];
}

// The channel a page with no channel chosen opens: the first testdata data
// source's 20 Hz stream.
export function defaultChannel(uids = []) {
  return `ds/${uids.length > 0 ? uids[0] : DEFAULT_TESTDATA_UID}/random-20Hz-stream`;
}
