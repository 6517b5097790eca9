// Integration: the BUILT testdata plugin, started exactly as Grafana starts
// a plugin (cookie, PLUGIN_PROTOCOL_VERSIONS=2, a temp socket dir), dialled
// over its unix socket with generated pluginv2 / go-plugin clients.
#include <grpcpp/grpcpp.h>
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "backend.grpc.pb.h"
#include "grpc_controller.grpc.pb.h"
#include "gtest/gtest.h"
#include "health.grpc.pb.h"
#include "plugin_launch.h"
#include "plugin_process.h"
#include "runnel/frame.h"
#include "runnel/frame_arrow.h"

namespace runnel::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kPlugin = RUNNEL_TESTDATA_PLUGIN;
constexpr const char* kNotAPlugin =
    "This binary is a plugin. These are not meant to be executed directly. "
    "Please execute the program that consumes these plugins, which will load "
    "any plugin binaries.";
// Generous waits for events; nothing asserts how fast they happen except
// the 20 Hz window the issue defines.
constexpr milliseconds kStartTimeout{20000};
constexpr milliseconds kExitTimeout{10000};

std::chrono::system_clock::time_point Deadline(milliseconds d) {
  return std::chrono::system_clock::now() + d;
}

bool IsSocket(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

// A running testdata plugin and clients for it.
class TestdataPluginTest : public ::testing::Test {
 protected:
  void SetUp() override { Launch(GrafanaPluginEnv(dir_.path())); }

  void Launch(std::map<std::string, std::string> env) {
    LaunchedPlugin plugin;
    ASSERT_TRUE(LaunchPlugin(kPlugin, env, dir_.path(), &plugin));
    process_ = std::move(plugin.process);
    handshake_ = plugin.handshake;
    network_ = plugin.network;
    address_ = plugin.address;
    channel_ = plugin.channel;
    stream_ = pluginv2::Stream::NewStub(channel_);
    data_ = pluginv2::Data::NewStub(channel_);
    diagnostics_ = pluginv2::Diagnostics::NewStub(channel_);
    resource_ = pluginv2::Resource::NewStub(channel_);
    health_ = grpc::health::v1::Health::NewStub(channel_);
    controller_ = plugin::GRPCController::NewStub(channel_);
  }

  // The plugin's {"running":N} stream count.
  int64_t RunningStreams() {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline(milliseconds(5000)));
    pluginv2::CallResourceRequest req;
    req.set_path("streams");
    req.set_method("GET");
    auto reader = resource_->CallResource(&ctx, req);
    pluginv2::CallResourceResponse resp;
    EXPECT_TRUE(reader->Read(&resp));
    EXPECT_TRUE(reader->Finish().ok());
    EXPECT_EQ(resp.code(), 200);
    return json::parse(resp.body()).at("running").get<int64_t>();
  }

  // Polls RunningStreams until it equals `want` or the timeout passes.
  bool WaitForRunningStreams(int64_t want, milliseconds timeout) {
    return WaitUntil([&] { return RunningStreams() == want; }, timeout);
  }

  // Starts RunStream on `path`; the call ends at the latest after `timeout`.
  std::unique_ptr<grpc::ClientReader<pluginv2::StreamPacket>> OpenRunStream(
      grpc::ClientContext* ctx, const std::string& path,
      milliseconds timeout = milliseconds(30000)) {
    ctx->set_deadline(Deadline(timeout));
    pluginv2::RunStreamRequest req;
    req.set_path(path);
    return stream_->RunStream(ctx, req);
  }

  TempDir dir_;
  std::unique_ptr<PluginProcess> process_;
  std::string handshake_, network_, address_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pluginv2::Stream::Stub> stream_;
  std::unique_ptr<pluginv2::Data::Stub> data_;
  std::unique_ptr<pluginv2::Diagnostics::Stub> diagnostics_;
  std::unique_ptr<pluginv2::Resource::Stub> resource_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
  std::unique_ptr<plugin::GRPCController::Stub> controller_;
};

TEST_F(TestdataPluginTest, PrintsHandshakeLineForAUnixSocketInTheSocketDir) {
  EXPECT_EQ(network_, "unix");
  EXPECT_EQ(std::filesystem::path(address_).parent_path(),
            std::filesystem::path(dir_.path()));
  EXPECT_EQ(handshake_, "1|2|unix|" + address_ + "|grpc|");
  EXPECT_TRUE(IsSocket(address_));
}

TEST_F(TestdataPluginTest, NothingElseIsWrittenToStdout) {
  // Exercise handlers that log, then stop: stdout must stay empty.
  EXPECT_EQ(RunningStreams(), 0);
  grpc::ClientContext ctx;
  plugin::Empty empty;
  ASSERT_TRUE(controller_->Shutdown(&ctx, empty, &empty).ok());
  ASSERT_EQ(process_->WaitForExit(kExitTimeout), 0);
  EXPECT_EQ(process_->ReadRestOfStdout(milliseconds(1000)), "");
}

TEST_F(TestdataPluginTest, HealthServesPluginAndServer) {
  for (const char* service : {"plugin", ""}) {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(service);
    grpc::health::v1::HealthCheckResponse resp;
    ASSERT_TRUE(health_->Check(&ctx, req, &resp).ok()) << service;
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("nope");
  grpc::health::v1::HealthCheckResponse resp;
  EXPECT_EQ(health_->Check(&ctx, req, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(TestdataPluginTest, SubscribeStreamReturnsTheSchema) {
  grpc::ClientContext ctx;
  pluginv2::SubscribeStreamRequest req;
  req.set_path("random-20Hz-stream");
  pluginv2::SubscribeStreamResponse resp;
  ASSERT_TRUE(stream_->SubscribeStream(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), pluginv2::SubscribeStreamResponse::OK);
  // The testdata frame, schema only
  // (docs/plugin-protocol.md#frame-json-examples).
  EXPECT_EQ(
      resp.data(),
      R"({"schema":{"name":"testdata","fields":[)"
      R"({"name":"Time","type":"time","typeInfo":{"frame":"time.Time"}},)"
      R"({"name":"Value","type":"number","typeInfo":{"frame":"float64"}},)"
      R"({"name":"Min","type":"number","typeInfo":{"frame":"float64"}},)"
      R"({"name":"Max","type":"number","typeInfo":{"frame":"float64"}}]}})");
}

TEST_F(TestdataPluginTest, SubscribeLabeledStreamReturnsTheLabeledSchema) {
  grpc::ClientContext ctx;
  pluginv2::SubscribeStreamRequest req;
  req.set_path("random-labeled-stream");
  pluginv2::SubscribeStreamResponse resp;
  ASSERT_TRUE(stream_->SubscribeStream(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), pluginv2::SubscribeStreamResponse::OK);
  json schema = json::parse(resp.data()).at("schema");
  EXPECT_EQ(schema.at("name"), "labeled");
  ASSERT_EQ(schema.at("fields").size(), 3u);
  EXPECT_EQ(schema.at("fields")[0].at("name"), "labels");
}

TEST_F(TestdataPluginTest, SubscribeUnknownPathIsNotFound) {
  grpc::ClientContext ctx;
  pluginv2::SubscribeStreamRequest req;
  req.set_path("no-such-stream");
  pluginv2::SubscribeStreamResponse resp;
  ASSERT_TRUE(stream_->SubscribeStream(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), pluginv2::SubscribeStreamResponse::NOT_FOUND);
}

TEST_F(TestdataPluginTest, PublishIsPermissionDenied) {
  grpc::ClientContext ctx;
  pluginv2::PublishStreamRequest req;
  req.set_path("random-20Hz-stream");
  req.set_data(R"({"x":1})");
  pluginv2::PublishStreamResponse resp;
  ASSERT_TRUE(stream_->PublishStream(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), pluginv2::PublishStreamResponse::PERMISSION_DENIED);
}

// A data-only testdata packet: {"data":{"values":[[t],[v],[min],[max]],...}}
void ExpectDataOnlyTestdataFrame(const std::string& packet) {
  ASSERT_TRUE(json::accept(packet)) << packet;
  json frame = json::parse(packet);
  EXPECT_FALSE(frame.contains("schema")) << packet;
  ASSERT_TRUE(frame.contains("data")) << packet;
  const json& values = frame.at("data").at("values");
  ASSERT_EQ(values.size(), 4u) << packet;
  for (const json& column : values) {
    ASSERT_EQ(column.size(), 1u) << packet;
    EXPECT_TRUE(column[0].is_number()) << packet;
  }
  const double value = values[1][0], min = values[2][0], max = values[3][0];
  EXPECT_LT(min, value) << packet;
  EXPECT_GT(max, value) << packet;
}

// The Time value (epoch ms) of a one-row data-only frame.
int64_t FrameTimeMs(const std::string& packet) {
  return json::parse(packet).at("data").at("values")[0][0].get<int64_t>();
}

TEST_F(TestdataPluginTest, RunStream20HzDeliversFramesAndStopsOnCancel) {
  grpc::ClientContext ctx;
  auto reader = OpenRunStream(&ctx, "random-20Hz-stream");
  // The 0.6 s window is measured on the frames' own Time values (when the
  // plugin sent them), from the first frame on: this checks the stream's
  // rate without asserting how promptly this (possibly descheduled) test
  // process reads its socket. Waiting itself has a generous deadline.
  pluginv2::StreamPacket packet;
  ASSERT_TRUE(reader->Read(&packet)) << process_->Stderr();
  ExpectDataOnlyTestdataFrame(packet.data());
  const int64_t first_ms = FrameTimeMs(packet.data());
  int in_window = 1;
  while (reader->Read(&packet)) {
    ExpectDataOnlyTestdataFrame(packet.data());
    if (FrameTimeMs(packet.data()) - first_ms >= 600) break;
    ++in_window;
  }
  EXPECT_GE(in_window, 10);
  EXPECT_EQ(RunningStreams(), 1);

  ctx.TryCancel();
  while (reader->Read(&packet)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(WaitForRunningStreams(0, milliseconds(10000)))
      << process_->Stderr();
  const std::string log = process_->Stderr();
  EXPECT_NE(log.find(R"("@message":"stream started")"), std::string::npos)
      << log;
  EXPECT_NE(log.find(R"("@message":"stream stopped")"), std::string::npos)
      << log;
}

TEST_F(TestdataPluginTest, RunStreamLabeledSendsTwoLabeledRows) {
  grpc::ClientContext ctx;
  auto reader = OpenRunStream(&ctx, "random-labeled-stream");
  pluginv2::StreamPacket packet;
  ASSERT_TRUE(reader->Read(&packet));
  json values = json::parse(packet.data()).at("data").at("values");
  ASSERT_EQ(values.size(), 3u);
  ASSERT_EQ(values[0].size(), 2u);
  const std::string a = values[0][0], b = values[0][1];
  EXPECT_TRUE(a.starts_with("s=A,s=p") && a.ends_with(",x=X")) << a;
  EXPECT_TRUE(b.starts_with("s=B,s=p") && b.ends_with(",x=X")) << b;
  EXPECT_DOUBLE_EQ(values[2][1].get<double>(), values[2][0].get<double>() + 10);
  ctx.TryCancel();
}

TEST_F(TestdataPluginTest, BenchStreamCarriesSendTime) {
  grpc::ClientContext ctx;
  auto reader = OpenRunStream(&ctx, "bench/1000hz");
  pluginv2::StreamPacket packet;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(reader->Read(&packet));
    json values = json::parse(packet.data()).at("data").at("values");
    ASSERT_EQ(values.size(), 3u);
    const int64_t sent_ns = values[2][0];
    const int64_t now_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count();
    EXPECT_LE(sent_ns, now_ns);
    EXPECT_GT(sent_ns, now_ns - int64_t{60} * 1000000000);
  }
  ctx.TryCancel();
}

TEST_F(TestdataPluginTest, RunStreamUnknownPathEndsWithTheError) {
  grpc::ClientContext ctx;
  auto reader = OpenRunStream(&ctx, "no-such-stream", milliseconds(10000));
  pluginv2::StreamPacket packet;
  EXPECT_FALSE(reader->Read(&packet));
  grpc::Status status = reader->Finish();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.error_message(),
            "testdata plugin does not support path: no-such-stream");
}

pluginv2::QueryDataRequest TwoQueries(pluginv2::DataFrameFormat format) {
  pluginv2::QueryDataRequest req;
  req.set_format(format);
  pluginv2::DataQuery* a = req.add_queries();
  a->set_refid("A");
  a->set_intervalms(1000);
  a->set_maxdatapoints(100);
  a->mutable_timerange()->set_fromepochms(1700000000000);
  a->mutable_timerange()->set_toepochms(1700000010000);
  pluginv2::DataQuery* b = req.add_queries();
  b->set_refid("B");
  b->set_intervalms(100);
  b->set_maxdatapoints(5);
  b->mutable_timerange()->set_fromepochms(1700000000000);
  b->mutable_timerange()->set_toepochms(1700000010000);
  return req;
}

TEST_F(TestdataPluginTest, QueryDataJSONReturnsRandomWalkFramesByRefId) {
  grpc::ClientContext ctx;
  pluginv2::QueryDataResponse resp;
  ASSERT_TRUE(data_->QueryData(&ctx, TwoQueries(pluginv2::JSON), &resp).ok());
  ASSERT_EQ(resp.responses().size(), 2u);
  const pluginv2::DataResponse& a = resp.responses().at("A");
  EXPECT_EQ(a.format(), pluginv2::JSON);
  EXPECT_EQ(a.error(), "");
  ASSERT_EQ(a.frames_size(), 1);
  json frame = json::parse(a.frames(0));
  EXPECT_EQ(frame.at("schema").at("refId"), "A");
  const json& times = frame.at("data").at("values")[0];
  ASSERT_EQ(times.size(), 11u);  // 10 s at 1 s steps, both ends included
  EXPECT_EQ(times[0], 1700000000000);
  EXPECT_EQ(times[1], 1700000001000);
  // B: 100 ms interval, but at most 5 points over 10 s -> 2 s steps.
  json b = json::parse(resp.responses().at("B").frames(0));
  const json& b_times = b.at("data").at("values")[0];
  ASSERT_EQ(b_times.size(), 5u);
  EXPECT_EQ(b_times[1].get<int64_t>() - b_times[0].get<int64_t>(), 2000);
}

// Grafana leaves the format unset (ARROW = 0) unless it asks for JSON: the
// frames come back as Arrow IPC files, decoded here with the SDK's reader.
void ExpectArrowRandomWalk(const pluginv2::QueryDataResponse& resp) {
  ASSERT_EQ(resp.responses().size(), 2u);
  const pluginv2::DataResponse& a = resp.responses().at("A");
  EXPECT_EQ(a.format(), pluginv2::ARROW);
  EXPECT_EQ(a.error(), "");
  ASSERT_EQ(a.frames_size(), 1);
  EXPECT_EQ(a.frames(0).substr(0, 6), "ARROW1");
  Frame frame;
  Status status = FrameFromArrow(a.frames(0), &frame);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(frame.ref_id(), "A");
  ASSERT_EQ(frame.fields().size(), 2u);
  const Field& time = frame.fields()[0];
  ASSERT_EQ(time.type(), FieldType::kTime);
  ASSERT_EQ(time.size(), 11u);  // 10 s at 1 s steps, both ends included
  EXPECT_EQ(time.TimeAt(0).unix_nanos, int64_t{1700000000000} * 1000000);
  EXPECT_EQ(time.TimeAt(1).unix_nanos, int64_t{1700000001000} * 1000000);
  EXPECT_EQ(frame.fields()[1].type(), FieldType::kFloat64);
  Frame b;
  ASSERT_TRUE(FrameFromArrow(resp.responses().at("B").frames(0), &b).ok());
  EXPECT_EQ(b.rows(), 5u);
}

TEST_F(TestdataPluginTest, QueryDataArrowReturnsArrowFiles) {
  grpc::ClientContext ctx;
  pluginv2::QueryDataResponse resp;
  ASSERT_TRUE(data_->QueryData(&ctx, TwoQueries(pluginv2::ARROW), &resp).ok());
  ExpectArrowRandomWalk(resp);
}

TEST_F(TestdataPluginTest, QueryDataWithoutFormatIsArrow) {
  pluginv2::QueryDataRequest req = TwoQueries(pluginv2::ARROW);
  req.clear_format();
  grpc::ClientContext ctx;
  pluginv2::QueryDataResponse resp;
  ASSERT_TRUE(data_->QueryData(&ctx, req, &resp).ok());
  ExpectArrowRandomWalk(resp);
}

TEST_F(TestdataPluginTest, QueryDataUnknownFormatIsRefused) {
  pluginv2::QueryDataRequest req = TwoQueries(pluginv2::ARROW);
  req.set_format(static_cast<pluginv2::DataFrameFormat>(7));
  grpc::ClientContext ctx;
  pluginv2::QueryDataResponse resp;
  grpc::Status status = data_->QueryData(&ctx, req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "unsupported data frame format 7");
}

TEST_F(TestdataPluginTest, CheckHealthIsOkWithAMessage) {
  grpc::ClientContext ctx;
  pluginv2::CheckHealthRequest req;
  pluginv2::CheckHealthResponse resp;
  ASSERT_TRUE(diagnostics_->CheckHealth(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), pluginv2::CheckHealthResponse::OK);
  EXPECT_FALSE(resp.message().empty());
}

TEST_F(TestdataPluginTest, CollectMetricsAnswersItsPrometheusText) {
  grpc::ClientContext ctx;
  pluginv2::CollectMetricsRequest req;
  pluginv2::CollectMetricsResponse resp;
  ASSERT_TRUE(diagnostics_->CollectMetrics(&ctx, req, &resp).ok());
  const std::string& text = resp.metrics().prometheus();
  EXPECT_NE(text.find("# TYPE testdata_queries_total counter\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("testdata_streams_running 0\n"), std::string::npos)
      << text;
}

TEST_F(TestdataPluginTest, UnknownResourceIs404) {
  grpc::ClientContext ctx;
  pluginv2::CallResourceRequest req;
  req.set_path("nope");
  auto reader = resource_->CallResource(&ctx, req);
  pluginv2::CallResourceResponse resp;
  ASSERT_TRUE(reader->Read(&resp));
  EXPECT_EQ(resp.code(), 404);
  EXPECT_TRUE(reader->Finish().ok());
}

TEST_F(TestdataPluginTest, ShutdownExitsZeroAndRemovesTheSocket) {
  grpc::ClientContext ctx;
  plugin::Empty empty;
  ASSERT_TRUE(controller_->Shutdown(&ctx, empty, &empty).ok());
  EXPECT_EQ(process_->WaitForExit(kExitTimeout), 0) << process_->Stderr();
  EXPECT_FALSE(std::filesystem::exists(address_));
}

TEST_F(TestdataPluginTest, SigtermWithARunningStreamExitsZero) {
  grpc::ClientContext ctx;
  auto reader = OpenRunStream(&ctx, "random-20Hz-stream");
  pluginv2::StreamPacket packet;
  ASSERT_TRUE(reader->Read(&packet));
  process_->Signal(SIGTERM);
  EXPECT_EQ(process_->WaitForExit(kExitTimeout), 0) << process_->Stderr();
  while (reader->Read(&packet)) {
  }
  reader->Finish();
  EXPECT_FALSE(std::filesystem::exists(address_));
}

TEST_F(TestdataPluginTest, SigintExitsZero) {
  process_->Signal(SIGINT);
  EXPECT_EQ(process_->WaitForExit(kExitTimeout), 0) << process_->Stderr();
  EXPECT_FALSE(std::filesystem::exists(address_));
}

// Start-up failures: no fixture process.
class TestdataPluginStartTest : public ::testing::Test {
 protected:
  std::unique_ptr<PluginProcess> Start(std::map<std::string, std::string> env) {
    std::string error;
    auto process =
        PluginProcess::Start(kPlugin, env, dir_.path() + "/stderr.log", &error);
    EXPECT_NE(process, nullptr) << error;
    return process;
  }
  TempDir dir_;
};

TEST_F(TestdataPluginStartTest, WithoutTheCookieExitsOneWithTheMessage) {
  auto env = GrafanaPluginEnv(dir_.path());
  env.erase("grafana_plugin_type");
  auto process = Start(env);
  ASSERT_NE(process, nullptr);
  EXPECT_EQ(process->WaitForExit(kExitTimeout), 1);
  EXPECT_NE(process->Stderr().find(kNotAPlugin), std::string::npos)
      << process->Stderr();
  EXPECT_EQ(process->ReadRestOfStdout(milliseconds(1000)), "");
}

TEST_F(TestdataPluginStartTest, WithAWrongCookieExitsOne) {
  auto env = GrafanaPluginEnv(dir_.path());
  env["grafana_plugin_type"] = "app";
  auto process = Start(env);
  ASSERT_NE(process, nullptr);
  EXPECT_EQ(process->WaitForExit(kExitTimeout), 1);
}

TEST_F(TestdataPluginStartTest, WithNoCommonProtocolVersionExitsOne) {
  auto env = GrafanaPluginEnv(dir_.path());
  env["PLUGIN_PROTOCOL_VERSIONS"] = "1,3";
  auto process = Start(env);
  ASSERT_NE(process, nullptr);
  EXPECT_EQ(process->WaitForExit(kExitTimeout), 1);
  EXPECT_NE(process->Stderr().find("protocol"), std::string::npos)
      << process->Stderr();
  EXPECT_EQ(process->ReadRestOfStdout(milliseconds(1000)), "");
}

TEST_F(TestdataPluginStartTest, TcpTransportListensOnLoopbackInTheRange) {
  auto env = GrafanaPluginEnv(dir_.path());
  env["RUNNEL_PLUGIN_TRANSPORT"] = "tcp";
  env["PLUGIN_MIN_PORT"] = "20000";
  env["PLUGIN_MAX_PORT"] = "29999";
  auto process = Start(env);
  ASSERT_NE(process, nullptr);
  std::optional<std::string> line = process->ReadStdoutLine(kStartTimeout);
  ASSERT_TRUE(line.has_value()) << process->Stderr();
  std::vector<std::string> parts = SplitLine(*line, '|');
  ASSERT_EQ(parts.size(), 6u) << *line;
  EXPECT_EQ(parts[2], "tcp");
  ASSERT_TRUE(parts[3].starts_with("127.0.0.1:")) << *line;
  const int port = std::stoi(parts[3].substr(10));
  EXPECT_GE(port, 20000);
  EXPECT_LE(port, 29999);
  auto channel =
      grpc::CreateChannel(parts[3], grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(Deadline(milliseconds(10000)));
  ctx.set_wait_for_ready(true);
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("plugin");
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_TRUE(health->Check(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  process->Signal(SIGTERM);
  EXPECT_EQ(process->WaitForExit(kExitTimeout), 0);
}

}  // namespace
}  // namespace runnel::testing
