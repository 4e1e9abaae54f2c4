// Generated from loadtest/profile.json by tools/loadtest/generate.ts: edit the profile, then regenerate.
// Run: k6 run -e TARGET_URL=https://<publicWebUrl> [-e LOAD_PROFILE=smoke] loadtest/load-test.js
import http from 'k6/http';
import { check, sleep } from 'k6';

const BASE_URL = (__ENV.TARGET_URL || '').replace(/\/+$/, '');
if (!BASE_URL) throw new Error('set TARGET_URL, e.g. k6 run -e TARGET_URL=https://bookstore.example loadtest/load-test.js');
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

export default function () {
    let res;
    res = http.get(`${BASE_URL}/api/books/search?query=architecture`, { tags: { name: 'book-search' } });
    check(res, { 'book-search status is 2xx/3xx': (r) => r.status >= 200 && r.status < 400 });
    sleep(1);
    res = http.get(`${BASE_URL}/api/books/123e4567-e89b-12d3-a456-426614174000`, { tags: { name: 'book-detail' } });
    check(res, { 'book-detail status is 2xx/3xx': (r) => r.status >= 200 && r.status < 400 });
    sleep(1);
}
