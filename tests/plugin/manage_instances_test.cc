// ManageInstances: calls reach the data source's instance when it
// implements the handler, and answer Unimplemented when it does not.
#include <memory>

#include "gtest/gtest.h"
#include "runnel/serve.h"

namespace runnel {
namespace {

class QueryOnlyInstance : public Instance, public QueryDataHandler {
 public:
  explicit QueryOnlyInstance(std::string uid) : uid_(std::move(uid)) {}
  Status QueryData(const QueryDataRequest& req,
                   QueryDataResponse* resp) override {
    for (const DataQuery& q : req.queries) {
      resp->responses[q.ref_id].error = "answered by " + uid_;
    }
    return Status::Ok();
  }

 private:
  std::string uid_;
};

class FakeSender final : public StreamSender {
 public:
  Status SendBytes(std::string_view) override { return Status::Ok(); }
  bool Cancelled() const override { return false; }
  bool SleepFor(std::chrono::nanoseconds) override { return true; }
};

ServeOptions QueryOnlyOptions() {
  return ManageInstances([](const DataSourceInstanceSettings& settings,
                            std::unique_ptr<Instance>* instance) {
    *instance = std::make_unique<QueryOnlyInstance>(settings.uid);
    return Status::Ok();
  });
}

PluginContext ContextFor(const std::string& uid) {
  PluginContext ctx;
  ctx.data_source_instance_settings = DataSourceInstanceSettings{};
  ctx.data_source_instance_settings->uid = uid;
  return ctx;
}

TEST(ManageInstances, EveryHandlerIsSet) {
  ServeOptions options = QueryOnlyOptions();
  EXPECT_NE(options.query_data, nullptr);
  EXPECT_NE(options.check_health, nullptr);
  EXPECT_NE(options.call_resource, nullptr);
  EXPECT_NE(options.subscribe_stream, nullptr);
  EXPECT_NE(options.publish_stream, nullptr);
  EXPECT_NE(options.run_stream, nullptr);
}

TEST(ManageInstances, ImplementedHandlerReachesTheUidsInstance) {
  ServeOptions options = QueryOnlyOptions();
  QueryDataRequest req;
  req.plugin_context = ContextFor("ds7");
  DataQuery query;
  query.ref_id = "A";
  req.queries.push_back(query);
  QueryDataResponse resp;
  ASSERT_TRUE(options.query_data->QueryData(req, &resp).ok());
  EXPECT_EQ(resp.responses["A"].error, "answered by ds7");
}

TEST(ManageInstances, MissingHandlersAnswerUnimplemented) {
  ServeOptions options = QueryOnlyOptions();
  CheckHealthResult health;
  EXPECT_EQ(options.check_health->CheckHealth({}, &health).code(),
            StatusCode::kUnimplemented);
  CallResourceResponse resource;
  EXPECT_EQ(options.call_resource->CallResource({}, &resource).code(),
            StatusCode::kUnimplemented);
  SubscribeStreamResponse sub;
  EXPECT_EQ(options.subscribe_stream->SubscribeStream({}, &sub).code(),
            StatusCode::kUnimplemented);
  PublishStreamResponse pub;
  EXPECT_EQ(options.publish_stream->PublishStream({}, &pub).code(),
            StatusCode::kUnimplemented);
  FakeSender sender;
  Status run = options.run_stream->RunStream({}, sender);
  EXPECT_EQ(run.code(), StatusCode::kUnimplemented);
  EXPECT_NE(run.message().find("RunStream"), std::string::npos);
}

TEST(ManageInstances, FactoryErrorReachesTheCaller) {
  ServeOptions options = ManageInstances(
      [](const DataSourceInstanceSettings&, std::unique_ptr<Instance>*) {
        return Status::Unavailable("database down");
      });
  QueryDataResponse resp;
  Status s = options.query_data->QueryData({}, &resp);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "database down");
}

}  // namespace
}  // namespace runnel
