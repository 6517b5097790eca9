#include "stream/channel_router.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "live/hub.h"
#include "live/last_message_store.h"

namespace runnel::host {
namespace {

class ChannelRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PluginManifest m;
    m.id = "acme-foo-datasource";
    m.version = "1.0.0";
    m.alias_ids = {"foo"};
    ASSERT_TRUE(registry_.Add(std::make_unique<Supervisor>(m)).ok());
    DataSource ds;
    ds.id = 7;
    ds.name = "Foo";
    ds.type = "foo";
    ds.uid = "foo-uid";
    ds.url = "http://foo";
    ds.json_data = R"({"a":1})";
    ds.secure_json_data = {{"token", "s3cret"}};
    ds.updated_ms = 1234;
    DataSource orphan;
    orphan.uid = "orphan";
    orphan.type = "nobody";
    router_ = std::make_unique<ChannelRouter>(
        &registry_, std::vector<DataSource>{ds, orphan});
  }
  PluginRegistry registry_;
  std::unique_ptr<ChannelRouter> router_;
};

TEST_F(ChannelRouterTest, DataSourceScopeCarriesSettings) {
  Route route;
  ASSERT_TRUE(router_->Resolve({"ds", "foo-uid", "a/b"}, &route).ok());
  EXPECT_EQ(route.plugin, registry_.Find("acme-foo-datasource"));
  EXPECT_EQ(route.path, "a/b");
  ClientIdentity who;
  who.org_id = 3;
  who.login = "alice";
  who.role = "Editor";
  pluginv2::PluginContext c = router_->MakePluginContext(route, who);
  EXPECT_EQ(c.orgid(), 3);
  EXPECT_EQ(c.pluginid(), "acme-foo-datasource");
  EXPECT_EQ(c.pluginversion(), "1.0.0");
  EXPECT_EQ(c.user().login(), "alice");
  EXPECT_EQ(c.user().role(), "Editor");
  ASSERT_TRUE(c.has_datasourceinstancesettings());
  const auto& s = c.datasourceinstancesettings();
  EXPECT_EQ(s.id(), 7);
  EXPECT_EQ(s.name(), "Foo");
  EXPECT_EQ(s.uid(), "foo-uid");
  EXPECT_EQ(s.url(), "http://foo");
  EXPECT_EQ(s.jsondata(), R"({"a":1})");
  EXPECT_EQ(s.decryptedsecurejsondata().at("token"), "s3cret");
  EXPECT_EQ(s.lastupdatedms(), 1234);
}

TEST_F(ChannelRouterTest, PluginScopeByIdOrAliasWithoutSettings) {
  Route route;
  ASSERT_TRUE(router_->Resolve({"plugin", "foo", "x"}, &route).ok());
  EXPECT_EQ(route.plugin, registry_.Find("acme-foo-datasource"));
  EXPECT_EQ(route.data_source, nullptr);
  ASSERT_TRUE(
      router_->Resolve({"plugin", "acme-foo-datasource", "x"}, &route).ok());
  pluginv2::PluginContext c = router_->MakePluginContext(route, {});
  EXPECT_FALSE(c.has_datasourceinstancesettings());
  EXPECT_EQ(c.orgid(), 1);
  EXPECT_EQ(c.user().role(), "Viewer");
}

TEST_F(ChannelRouterTest, UnknownsAreNotFound) {
  Route route;
  EXPECT_EQ(router_->Resolve({"ds", "nope", "x"}, &route).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(router_->Resolve({"ds", "orphan", "x"}, &route).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(router_->Resolve({"plugin", "nope", "x"}, &route).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(router_->Resolve({"grafana", "dashboard", "x"}, &route).code(),
            StatusCode::kNotFound);
}

// Records what reaches the plugin-channel handler.
class RecordingHandler : public ChannelHandler {
 public:
  void OnSubscribe(const ClientIdentity&, const std::string& wire_channel,
                   const LiveChannel&, const std::string&,
                   std::function<void(SubscribeReply)> done) override {
    asked.push_back(wire_channel);
    done(SubscribeReply{0, "", "{\"from\":\"plugin\"}"});
  }
  void OnPublish(const ClientIdentity&, const std::string& wire_channel,
                 const LiveChannel&, const std::string&,
                 std::function<void(PublishReply)> done) override {
    asked.push_back(wire_channel);
    done(PublishReply{0, "", "{\"from\":\"plugin\"}"});
  }
  std::vector<std::string> asked;
};

SubscribeReply Subscribe(ScopeRouter& router, const LiveChannel& channel) {
  SubscribeReply out{-1, "not answered", ""};
  router.OnSubscribe(ClientIdentity{}, "1/" + channel.ToString(), channel, "",
                     [&](SubscribeReply reply) { out = std::move(reply); });
  return out;
}

PublishReply Publish(ScopeRouter& router, const LiveChannel& channel,
                     const std::string& data) {
  PublishReply out{-1, "not answered", ""};
  router.OnPublish(ClientIdentity{}, "1/" + channel.ToString(), channel, data,
                   [&](PublishReply reply) { out = std::move(reply); });
  return out;
}

// Collects what the hub delivers to it (on the publishing thread).
class RecordingSubscriber : public Subscriber {
 public:
  void Deliver(const SharedBuffer& message) override {
    messages.push_back(*message);
  }
  std::vector<std::string> messages;
};

class ScopeRouterTest : public ::testing::Test {
 protected:
  Hub hub_;
  MemoryLastMessageStore last_messages_{10};
};

TEST_F(ScopeRouterTest, PluginScopesGoToThePluginHandler) {
  RecordingHandler plugins;
  ScopeRouter router(&plugins, hub_, last_messages_);
  EXPECT_EQ(Subscribe(router, {"ds", "uid", "p"}).data,
            "{\"from\":\"plugin\"}");
  EXPECT_EQ(Publish(router, {"plugin", "foo", "p"}, "{}").data,
            "{\"from\":\"plugin\"}");
  EXPECT_EQ(plugins.asked,
            (std::vector<std::string>{"1/ds/uid/p", "1/plugin/foo/p"}));
}

TEST_F(ScopeRouterTest, PluginScopesWithoutAHandlerAreNotFound) {
  ScopeRouter router(nullptr, hub_, last_messages_);
  SubscribeReply subscribe = Subscribe(router, {"ds", "uid", "p"});
  EXPECT_EQ(subscribe.error_code, 404);
  EXPECT_EQ(subscribe.error_message, "Not Found");
  EXPECT_EQ(Publish(router, {"plugin", "foo", "p"}, "{}").error_code, 404);
}

TEST_F(ScopeRouterTest, HubScopes) {
  RecordingHandler plugins;
  ScopeRouter router(&plugins, hub_, last_messages_);
  EXPECT_EQ(Subscribe(router, {"stream", "id", "cpu"}).error_code, 0);
  EXPECT_EQ(Subscribe(router, {"grafana", "broadcast", "x"}).error_code, 0);
  EXPECT_EQ(Subscribe(router, {"grafana", "dashboard", "uid/d"}).error_code, 0);
  EXPECT_EQ(Subscribe(router, {"grafana", "other", "x"}).error_code, 404);
  EXPECT_EQ(Subscribe(router, {"nope", "a", "b"}).error_code, 404);

  RecordingSubscriber subscriber;
  hub_.Subscribe("1/grafana/broadcast/x", &subscriber);
  PublishReply broadcast =
      Publish(router, {"grafana", "broadcast", "x"}, "[1]");
  EXPECT_EQ(broadcast.error_code, 0);
  EXPECT_EQ(broadcast.data, "");  // published here, not by the caller
  EXPECT_EQ(subscriber.messages,
            (std::vector<std::string>{
                "{\"push\":{\"channel\":\"1/grafana/broadcast/x\","
                "\"pub\":{\"data\":[1]}}}"}));
  hub_.Unsubscribe("1/grafana/broadcast/x", &subscriber);
  PublishReply stream = Publish(router, {"stream", "id", "cpu"}, "[1]");
  EXPECT_EQ(stream.error_code, 403);
  EXPECT_EQ(stream.error_message, "Forbidden");
  EXPECT_EQ(Publish(router, {"grafana", "dashboard", "d"}, "[1]").error_code,
            403);
  EXPECT_EQ(Publish(router, {"nope", "a", "b"}, "[1]").error_code, 404);
  EXPECT_TRUE(plugins.asked.empty());
}

TEST_F(ScopeRouterTest, NewSubscribersGetTheLastMessage) {
  ScopeRouter router(nullptr, hub_, last_messages_);
  EXPECT_EQ(Subscribe(router, {"grafana", "broadcast", "x"}).data, "");
  Publish(router, {"grafana", "broadcast", "x"}, "{\"n\":1}");
  Publish(router, {"grafana", "broadcast", "x"}, "{\"n\":2}");
  EXPECT_EQ(Subscribe(router, {"grafana", "broadcast", "x"}).data, "{\"n\":2}");
  EXPECT_EQ(Subscribe(router, {"grafana", "broadcast", "y"}).data, "");

  Status kept = last_messages_.Put("1/stream/telegraf/cpu",
                                   {"{\"schema\":{}}", "{\"frame\":1}", 5},
                                   [](bool, const StoredMessage&) {});
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(Subscribe(router, {"stream", "telegraf", "cpu"}).data,
            "{\"frame\":1}");
  // Dashboard events keep nothing.
  EXPECT_EQ(Subscribe(router, {"grafana", "dashboard", "uid/d"}).data, "");
}

TEST_F(ScopeRouterTest, ABroadcastOverThePublicationLimitIsRefused) {
  Hub small_hub(100);
  ScopeRouter router(nullptr, small_hub, last_messages_);
  PublishReply reply = Publish(router, {"grafana", "broadcast", "x"},
                               "\"" + std::string(200, 'a') + "\"");
  EXPECT_EQ(reply.error_code, 106);
  EXPECT_EQ(Subscribe(router, {"grafana", "broadcast", "x"}).data, "");
}

}  // namespace
}  // namespace runnel::host
