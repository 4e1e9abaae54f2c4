// Generated from loadtest/profile.json by tools/loadtest/generate.ts: edit the profile, then regenerate.
// Run next to the api (docs/load-testing.md): k6 run -e API_URL=<the stack's apiUrl> [-e LOAD_PROFILE=smoke] load-test.js
import http from 'k6/http';
import { check, sleep } from 'k6';

const BASE_URL = (__ENV.API_URL || '').replace(/\/+$/, '');
if (!BASE_URL) throw new Error('set API_URL to the api base URL (the stack apiUrl output), e.g. k6 run -e API_URL=http://api.bookstore.svc.cluster.local load-test.js');
const PROFILES = {
    "seed": [
        { duration: '2m', target: 100 },
        { duration: '5m', target: 100 },
        { duration: '2m', target: 200 },
        { duration: '5m', target: 200 },
        { duration: '2m', target: 0 },
    ],
    "smoke": [
        { duration: '10s', target: 5 },
        { duration: '20s', target: 5 },
        { duration: '5s', target: 0 },
    ],
};
const PROFILE = __ENV.LOAD_PROFILE || 'seed';
if (!PROFILES[PROFILE]) throw new Error(`unknown LOAD_PROFILE ${PROFILE}: expected one of ${Object.keys(PROFILES).join(', ')}`);

export const options = {
    stages: PROFILES[PROFILE],
    thresholds: {
        http_req_duration: ['p(95)<500'],
        http_req_failed: ['rate<0.01'],
    },
};

// Once, before the users start: real ids for the requests that need one.
export function setup() {
    const res = http.get(`${BASE_URL}/api/books?pageSize=100`, { tags: { name: 'book-list' } });
    if (res.status !== 200) throw new Error(`book-list: HTTP ${res.status} from ${res.url} (is API_URL the api's base URL?)`);
    const ids = (res.json('items') || []).map((item) => item.id).filter(Boolean);
    if (ids.length === 0) throw new Error('book-list listed no items: the requests need real ids (seed the app data first)');
    return { bookId: ids };
}

const pick = (ids) => ids[(__VU + __ITER) % ids.length];

export default function (data) {
    let res;
    res = http.get(`${BASE_URL}/api/books?search=architecture`, { tags: { name: 'book-search' } });
    check(res, { 'book-search status is 200': (r) => r.status === 200, 'book-search response time < 500ms': (r) => r.timings.duration < 500 });
    sleep(1);
    res = http.get(`${BASE_URL}/api/books/${encodeURIComponent(pick(data.bookId))}`, { tags: { name: 'book-detail' } });
    check(res, { 'book-detail status is 200': (r) => r.status === 200, 'book-detail response time < 500ms': (r) => r.timings.duration < 500 });
    sleep(1);
}
