// The official Node SDK's loop over every item of one record, as its users write it: one
// DescribeHostUploadUpdateRecordDetail at a time, Limit 200, each sent when the answer before
// it is in, until every group's TotalCount is reached. For tests/bench/fetch.bench.sh, which
// runs it only when tencentcloud-sdk-nodejs can be found (NODE_PATH); nothing installs it.
//   node sdk_loop.js ENDPOINT RECORD_ID    (credentials: TENCENTCLOUD_SECRET_ID / _KEY)
// Prints the number of items fetched.
"use strict";
const { Client } = require("tencentcloud-sdk-nodejs/tencentcloud/services/ssl/v20191205/ssl_client");

const [endpoint, recordId] = process.argv.slice(2);
const url = new URL(endpoint);
const client = new Client({
  credential: {
    secretId: process.env.TENCENTCLOUD_SECRET_ID,
    secretKey: process.env.TENCENTCLOUD_SECRET_KEY,
  },
  region: "",
  profile: { httpProfile: { endpoint: url.host, protocol: url.protocol + "//" } },
});

(async () => {
  let offset = 0;
  let total = 1;
  let items = 0;
  while (offset < total) {
    const r = await client.DescribeHostUploadUpdateRecordDetail({
      DeployRecordId: Number(recordId),
      Limit: 200,
      Offset: offset,
    });
    total = 0;
    for (const run of r.DeployRecordDetail || [])
      for (const group of run.RecordDetailList || []) {
        total = Math.max(total, group.TotalCount || 0);
        items += (group.List || []).length;
      }
    offset += 200;
  }
  console.log(items);
})().catch((e) => {
  console.error("sdk_loop:", e.code || e.message);
  process.exit(1);
});
