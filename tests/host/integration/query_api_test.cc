// The query API of the built host with the real testdata plugin, over real
// sockets: POST /api/ds/query (random walk frames, a failed query next to a
// good one, refusals), data source health and resource calls (one-message,
// several-message and echoed replies), and a data source whose plugin never
// runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "host_process.h"
#include "test_support.h"

namespace runnel::host::testing {
namespace {

using ::runnel::testing::HttpPost;
using ::runnel::testing::SendUntil;
using ::testing::HasSubstr;

struct QueryConfig {
  static constexpr char kIni[] = "";
};

JSON Query(const std::string& ref_id, const std::string& uid,
           const std::string& query_type = "") {
  JSON query = {{"refId", ref_id},
                {"datasource", {{"uid", uid}, {"type", "testdata"}}},
                {"maxDataPoints", 10},
                {"intervalMs", 1000}};
  if (!query_type.empty()) query["queryType"] = query_type;
  return query;
}

HttpResult PostQuery(uint16_t port, const JSON& body) {
  return HttpPost(port, "/api/ds/query", body.dump(), "application/json");
}

JSON Body(const HttpResult& result) {
  return JSON::parse(result.body, nullptr, false);
}

class QueryApiTest : public HostSuite<QueryConfig> {};

TEST_F(QueryApiTest, RandomWalkComesBackAsFrameJSON) {
  const int64_t now_ms =
      std::chrono::duration_cast<Millis>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  HttpResult result =
      PostQuery(port(), {{"from", "now-5m"},
                         {"to", "now"},
                         {"queries", JSON::array({Query("A", "testdata")})}});
  ASSERT_EQ(result.status, 200) << result.body;
  JSON body = Body(result);
  const JSON& a = body["results"]["A"];
  EXPECT_EQ(a["status"], 200) << body.dump();
  ASSERT_EQ(a["frames"].size(), 1u) << body.dump();
  const JSON& frame = a["frames"][0];
  EXPECT_EQ(frame["schema"]["refId"], "A");
  ASSERT_EQ(frame["schema"]["fields"].size(), 2u);
  EXPECT_EQ(frame["schema"]["fields"][0]["name"], "Time");
  EXPECT_EQ(frame["schema"]["fields"][0]["type"], "time");
  EXPECT_EQ(frame["schema"]["fields"][1]["name"], "Value");
  const JSON& times = frame["data"]["values"][0];
  ASSERT_EQ(times.size(), 10u);  // maxDataPoints
  EXPECT_EQ(frame["data"]["values"][1].size(), 10u);
  // The first point is at "now-5m", resolved by the host.
  EXPECT_NEAR(times[0].get<double>(), now_ms - 300'000.0, 60'000.0);
}

TEST_F(QueryApiTest, OneFailedQueryNextToAGoodOneIs207) {
  HttpResult result = PostQuery(
      port(), {{"from", "now-1m"},
               {"to", "now"},
               {"queries", JSON::array({Query("A", "testdata"),
                                        Query("B", "testdata", "nope")})}});
  ASSERT_EQ(result.status, 207) << result.body;
  JSON body = Body(result);
  EXPECT_EQ(body["results"]["A"]["status"], 200);
  EXPECT_EQ(body["results"]["A"]["frames"].size(), 1u);
  EXPECT_EQ(body["results"]["B"]["status"], 400);
  EXPECT_EQ(body["results"]["B"]["error"], "unknown queryType: nope");
}

TEST_F(QueryApiTest, LiveQueryAnswersHistoryNamingTheStreamsChannel) {
  JSON live = Query("A", "testdata", "live");
  live["path"] = "random-20Hz-stream";
  HttpResult result = PostQuery(
      port(),
      {{"from", "now-1m"}, {"to", "now"}, {"queries", JSON::array({live})}});
  ASSERT_EQ(result.status, 200) << result.body;
  const JSON body = Body(result);
  const JSON& frame = body["results"]["A"]["frames"][0];
  EXPECT_EQ(frame["schema"]["meta"]["channel"],
            "ds/testdata/random-20Hz-stream");
  ASSERT_EQ(frame["schema"]["fields"].size(), 4u);
  EXPECT_EQ(frame["schema"]["fields"][3]["name"], "Max");
  EXPECT_EQ(frame["data"]["values"][0].size(), 10u);

  live["path"] = "no-such-stream";
  HttpResult bad = PostQuery(port(), {{"queries", JSON::array({live})}});
  EXPECT_EQ(bad.status, 400) << bad.body;  // every query failed
  EXPECT_THAT(Body(bad)["results"]["A"].value("error", ""),
              HasSubstr("testdata stream path"));
}

TEST_F(QueryApiTest, UnknownDataSourceIs404) {
  HttpResult result = PostQuery(
      port(), {{"queries", JSON::array({Query("A", "testdata"),
                                        Query("B", "no-such-uid")})}});
  EXPECT_EQ(result.status, 404) << result.body;
  EXPECT_THAT(Body(result).value("message", ""),
              HasSubstr("Data source not found: no-such-uid"));
}

TEST_F(QueryApiTest, BadBodiesAre400WithAMessage) {
  HttpResult not_json =
      HttpPost(port(), "/api/ds/query", "{oops", "application/json");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_THAT(Body(not_json).value("message", ""), HasSubstr("not JSON"));
  HttpResult none = PostQuery(port(), {{"queries", JSON::array()}});
  EXPECT_EQ(none.status, 400);
  EXPECT_THAT(Body(none).value("message", ""), HasSubstr("no queries found"));
  HttpResult no_uid =
      PostQuery(port(), {{"queries", JSON::array({{{"refId", "A"}}})}});
  EXPECT_EQ(no_uid.status, 400);
  EXPECT_THAT(Body(no_uid).value("message", ""),
              HasSubstr("has no data source uid"));
}

TEST_F(QueryApiTest, HealthOfTheTestdataSourceIsOK) {
  HttpResult result = HttpGet(port(), "/api/datasources/uid/testdata/health");
  ASSERT_EQ(result.status, 200) << result.body;
  JSON body = Body(result);
  EXPECT_EQ(body["status"], "OK");
  EXPECT_FALSE(body.value("message", "").empty()) << result.body;
  EXPECT_EQ(HttpGet(port(), "/api/datasources/uid/nope/health").status, 404);
}

TEST_F(QueryApiTest, ResourcesOfADataSourceAndOfAPlugin) {
  for (const std::string& prefix : std::vector<std::string>{
           "/api/datasources/uid/testdata", "/api/plugins/testdata",
           std::string("/api/plugins/") + kTestdataId}) {
    HttpResult streams = HttpGet(port(), prefix + "/resources/streams");
    ASSERT_EQ(streams.status, 200) << prefix << ": " << streams.body;
    EXPECT_EQ(streams.content_type, "application/json");
    EXPECT_TRUE(Body(streams).contains("running")) << streams.body;
  }
  HttpResult missing =
      HttpGet(port(), "/api/datasources/uid/testdata/resources/nothing");
  EXPECT_EQ(missing.status, 404);  // the plugin's own 404, passed on
  EXPECT_THAT(missing.body, HasSubstr("no such resource"));
  EXPECT_EQ(HttpGet(port(), "/api/plugins/nope/resources/streams").status, 404);
  EXPECT_EQ(HttpGet(port(), "/api/datasources/uid/testdata/other").status, 404);
}

TEST_F(QueryApiTest, ResourceCallCarriesMethodPathQueryAndBody) {
  HttpResult echo =
      HttpPost(port(), "/api/datasources/uid/testdata/resources/echo?x=1&y=2",
               "hello", "text/plain");
  ASSERT_EQ(echo.status, 200) << echo.body;
  JSON body = Body(echo);
  EXPECT_EQ(body["method"], "POST");
  EXPECT_EQ(body["path"], "echo");
  EXPECT_EQ(body["url"], "echo?x=1&y=2");
  EXPECT_EQ(body["body"], "hello");
  EXPECT_EQ(body["headers"]["Content-Type"][0], "text/plain");
  EXPECT_FALSE(body["headers"].contains("Host"));
}

TEST_F(QueryApiTest, AReplyInSeveralMessagesArrivesWhole) {
  HttpResult chunks =
      HttpGet(port(), "/api/datasources/uid/testdata/resources/chunks");
  ASSERT_EQ(chunks.status, 200) << chunks.body;
  EXPECT_EQ(chunks.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(chunks.body, "chunk 0\nchunk 1\nchunk 2\n");
}

TEST_F(QueryApiTest, AnEndlessResourceReplyIsStreamedAsItComes) {
  // The reply is chunked and endless: only a host that streams lets the
  // first pieces through.
  const std::string received =
      SendUntil(port(),
                "GET /api/plugins/testdata/resources/ticks HTTP/1.1\r\nHost: "
                "127.0.0.1\r\n\r\n",
                "tick 2\n");
  ASSERT_FALSE(received.empty()) << "no third tick within 10 s";
  EXPECT_THAT(received, HasSubstr("Transfer-Encoding: chunked"));
  EXPECT_THAT(received, HasSubstr("tick 0\n"));
  // The host is fine after the client left mid-reply.
  EXPECT_EQ(HttpGet(port(), "/api/plugins/testdata/resources/streams").status,
            200);
}

// A data source whose plugin never starts, beside the testdata one.
TEST(QueryApiUnavailableTest, APluginThatNeverRunsIs503AndFailsOnlyItsQueries) {
  HostOptions options;
  options.with_testdata = true;
  options.provision_testdata = true;
  HostProcess host(options);
  host.AddScriptPlugin("dead-datasource", "exit 1");
  host.WriteFile("provisioning/datasources/dead.yaml",
                 "apiVersion: 1\n"
                 "datasources:\n"
                 "  - name: Dead\n"
                 "    type: dead-datasource\n"
                 "    uid: dead\n");
  std::string error;
  ASSERT_TRUE(host.Start(&error)) << error;
  ASSERT_TRUE(WaitUntil(
      [&] { return PluginState(host.port(), kTestdataId) == "running"; },
      Millis(30000)))
      << host.Log();

  HttpResult alone =
      PostQuery(host.port(), {{"queries", JSON::array({Query("A", "dead")})}});
  EXPECT_EQ(alone.status, 503) << alone.body;
  EXPECT_THAT(Body(alone).value("message", ""),
              HasSubstr("Plugin unavailable: dead-datasource"));

  HttpResult mixed = PostQuery(
      host.port(),
      {{"queries", JSON::array({Query("A", "testdata"), Query("B", "dead")})}});
  ASSERT_EQ(mixed.status, 207) << mixed.body;
  JSON body = Body(mixed);
  EXPECT_EQ(body["results"]["A"]["status"], 200);
  EXPECT_EQ(body["results"]["B"]["status"], 503);
  EXPECT_THAT(body["results"]["B"].value("error", ""),
              HasSubstr("Plugin unavailable"));

  EXPECT_EQ(HttpGet(host.port(), "/api/datasources/uid/dead/health").status,
            503);
}

TEST_F(QueryApiTest, PluginMetricsAreScrapedThroughTheHost) {
  HttpResult before = HttpGet(port(), "/metrics/plugins/testdata");
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_THAT(before.content_type, HasSubstr("text/plain"));
  EXPECT_THAT(before.body, HasSubstr("# TYPE testdata_queries_total counter"));
  EXPECT_THAT(before.body, HasSubstr("# TYPE testdata_streams_running gauge"));
  const double queries = MetricValue(before.body, "testdata_queries_total");
  ASSERT_GE(queries, 0);
  ASSERT_EQ(
      PostQuery(port(), {{"queries", JSON::array({Query("A", "testdata"),
                                                  Query("B", "testdata")})}})
          .status,
      200);
  HttpResult after = HttpGet(port(), "/metrics/plugins/testdata");
  EXPECT_EQ(MetricValue(after.body, "testdata_queries_total"), queries + 2);
  EXPECT_EQ(HttpGet(port(), "/metrics/plugins/nope").status, 404);
}

}  // namespace
}  // namespace runnel::host::testing
