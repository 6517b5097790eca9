// InstanceManager: one instance per uid, replacement on lastUpdatedMS
// change with Dispose of the old one, safety under concurrent calls.
#include "runnel/instance_manager.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace runnel {
namespace {

struct Counters {
  std::atomic<int> created{0};
  std::atomic<int> disposed{0};
  std::atomic<int> destroyed{0};
};

class CountingInstance : public Instance {
 public:
  CountingInstance(Counters* counters, DataSourceInstanceSettings settings)
      : counters_(counters), settings_(std::move(settings)) {
    counters_->created++;
  }
  ~CountingInstance() override { counters_->destroyed++; }
  void Dispose() override {
    disposed_++;
    counters_->disposed++;
  }
  const DataSourceInstanceSettings& settings() const { return settings_; }
  int disposed() const { return disposed_; }

 private:
  Counters* counters_;
  DataSourceInstanceSettings settings_;
  std::atomic<int> disposed_{0};
};

InstanceFactory CountingFactory(Counters* counters) {
  return [counters](const DataSourceInstanceSettings& settings,
                    std::unique_ptr<Instance>* instance) {
    *instance = std::make_unique<CountingInstance>(counters, settings);
    return Status::Ok();
  };
}

PluginContext ContextFor(const std::string& uid, int64_t last_updated_ms) {
  PluginContext ctx;
  DataSourceInstanceSettings settings;
  settings.uid = uid;
  settings.last_updated_ms = last_updated_ms;
  settings.json_data = R"({"uid":")" + uid + R"("})";
  ctx.data_source_instance_settings = settings;
  return ctx;
}

TEST(InstanceManager, SameUidGivesTheSameInstance) {
  Counters counters;
  InstanceManager manager(CountingFactory(&counters));
  std::shared_ptr<Instance> a, b;
  ASSERT_TRUE(manager.Get(ContextFor("ds1", 1), &a).ok());
  ASSERT_TRUE(manager.Get(ContextFor("ds1", 1), &b).ok());
  EXPECT_EQ(a, b);
  EXPECT_EQ(counters.created, 1);
  EXPECT_EQ(manager.size(), 1u);
  auto* instance = dynamic_cast<CountingInstance*>(a.get());
  ASSERT_NE(instance, nullptr);
  EXPECT_EQ(instance->settings().json_data, R"({"uid":"ds1"})");
}

TEST(InstanceManager, EachUidHasItsOwnInstance) {
  Counters counters;
  InstanceManager manager(CountingFactory(&counters));
  std::shared_ptr<Instance> a, b;
  ASSERT_TRUE(manager.Get(ContextFor("ds1", 1), &a).ok());
  ASSERT_TRUE(manager.Get(ContextFor("ds2", 1), &b).ok());
  EXPECT_NE(a, b);
  EXPECT_EQ(manager.size(), 2u);
}

TEST(InstanceManager, NoDataSourceUsesEmptyUid) {
  Counters counters;
  InstanceManager manager(CountingFactory(&counters));
  std::shared_ptr<Instance> a, b;
  ASSERT_TRUE(manager.Get(PluginContext{}, &a).ok());
  ASSERT_TRUE(manager.Get(PluginContext{}, &b).ok());
  EXPECT_EQ(a, b);
  auto* instance = dynamic_cast<CountingInstance*>(a.get());
  ASSERT_NE(instance, nullptr);
  EXPECT_EQ(instance->settings().uid, "");
}

TEST(InstanceManager, AppSettingsVersionReplacesTheAppInstance) {
  Counters counters;
  InstanceManager manager(CountingFactory(&counters));
  PluginContext ctx;
  ctx.app_instance_settings = AppInstanceSettings{};
  ctx.app_instance_settings->last_updated_ms = 1;
  std::shared_ptr<Instance> a, b, c;
  ASSERT_TRUE(manager.Get(ctx, &a).ok());
  ASSERT_TRUE(manager.Get(ctx, &b).ok());
  EXPECT_EQ(a, b);
  ctx.app_instance_settings->last_updated_ms = 2;
  ASSERT_TRUE(manager.Get(ctx, &c).ok());
  EXPECT_NE(a, c);
  EXPECT_EQ(counters.disposed, 1);
  EXPECT_EQ(manager.size(), 1u);
}

TEST(InstanceManager, NewLastUpdatedReplacesAndDisposesTheOldOne) {
  Counters counters;
  InstanceManager manager(CountingFactory(&counters));
  std::shared_ptr<Instance> old_instance, fresh;
  ASSERT_TRUE(manager.Get(ContextFor("ds1", 1), &old_instance).ok());
  ASSERT_TRUE(manager.Get(ContextFor("ds1", 2), &fresh).ok());
  EXPECT_NE(old_instance, fresh);
  EXPECT_EQ(manager.size(), 1u);
  auto* old_counting = dynamic_cast<CountingInstance*>(old_instance.get());
  EXPECT_EQ(old_counting->disposed(), 1);
  // An in-flight call still holds the old one: it is alive until released.
  EXPECT_EQ(counters.destroyed, 0);
  old_instance.reset();
  EXPECT_EQ(counters.destroyed, 1);
  // The new one stays.
  std::shared_ptr<Instance> again;
  ASSERT_TRUE(manager.Get(ContextFor("ds1", 2), &again).ok());
  EXPECT_EQ(again, fresh);
  EXPECT_EQ(counters.created, 2);
}

TEST(InstanceManager, DestructorDisposesEveryLiveInstance) {
  Counters counters;
  {
    InstanceManager manager(CountingFactory(&counters));
    std::shared_ptr<Instance> a, b;
    ASSERT_TRUE(manager.Get(ContextFor("ds1", 1), &a).ok());
    ASSERT_TRUE(manager.Get(ContextFor("ds2", 1), &b).ok());
  }
  EXPECT_EQ(counters.disposed, 2);
  EXPECT_EQ(counters.destroyed, 2);
}

TEST(InstanceManager, FactoryErrorIsReturnedAndNothingIsCached) {
  int calls = 0;
  InstanceManager manager(
      [&calls](const DataSourceInstanceSettings&, std::unique_ptr<Instance>*) {
        ++calls;
        return Status::InvalidArgument("bad jsonData");
      });
  std::shared_ptr<Instance> instance;
  Status s = manager.Get(ContextFor("ds1", 1), &instance);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "bad jsonData");
  EXPECT_EQ(instance, nullptr);
  EXPECT_EQ(manager.size(), 0u);
  EXPECT_FALSE(manager.Get(ContextFor("ds1", 1), &instance).ok());
  EXPECT_EQ(calls, 2);
}

TEST(InstanceManager, FactoryReturningNothingIsAnError) {
  InstanceManager manager(
      [](const DataSourceInstanceSettings&, std::unique_ptr<Instance>*) {
        return Status::Ok();
      });
  std::shared_ptr<Instance> instance;
  EXPECT_EQ(manager.Get(ContextFor("ds1", 1), &instance).code(),
            StatusCode::kInternal);
}

TEST(InstanceManager, ConcurrentFirstCallsMakeOneInstancePerUid) {
  Counters counters;
  InstanceManager manager(CountingFactory(&counters));
  constexpr int kThreads = 8;
  constexpr int kCalls = 2000;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        std::shared_ptr<Instance> instance;
        const std::string uid = "ds" + std::to_string((i + t) % 4);
        if (!manager.Get(ContextFor(uid, 1), &instance).ok() || !instance) {
          failures++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(counters.created, 4);
  EXPECT_EQ(manager.size(), 4u);
}

TEST(InstanceManager, ConcurrentReplacementsDisposeEachOldInstanceOnce) {
  Counters counters;
  std::atomic<int> double_disposed{0};
  {
    InstanceManager manager(CountingFactory(&counters));
    constexpr int kThreads = 6;
    constexpr int kCalls = 1000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kCalls; ++i) {
          // Versions move forward over time; threads race on each change.
          std::shared_ptr<Instance> instance;
          ASSERT_TRUE(manager.Get(ContextFor("ds", i / 100), &instance).ok());
          auto* c = dynamic_cast<CountingInstance*>(instance.get());
          if (c->disposed() > 1) double_disposed++;
          (void)t;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(manager.size(), 1u);
    // Every instance but the live one was disposed exactly once.
    EXPECT_EQ(counters.disposed, counters.created - 1);
  }
  EXPECT_EQ(double_disposed, 0);
  EXPECT_EQ(counters.disposed, counters.created);
  EXPECT_EQ(counters.destroyed, counters.created);
}

}  // namespace
}  // namespace runnel
