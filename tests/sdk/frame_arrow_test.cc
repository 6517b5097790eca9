// FrameToArrow / FrameFromArrow: every field type round-trips with nulls,
// labels, config and meta; the file has the layout and metadata keys
// grafana-plugin-sdk-go's reader (arrow-go ipc.FileReader, data/arrow.go)
// looks for; malformed input is refused, never crashes.
#include "runnel/frame_arrow.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "arrow_format_generated.h"
#include "runnel/frame_meta.h"

namespace runnel::testing {
namespace {

namespace arrowfb = internal::arrowfb;

// One nullable and one non-nullable field of every type, three rows; the
// nullable ones hold a null in row 1.
Frame AllTypesFrame() {
  Frame frame("many_types");
  frame.set_ref_id("A");
  FrameMeta meta;
  meta.channel = "ds/testdata/random-20Hz-stream";
  meta.executed_query_string = "SELECT 1";
  meta.custom_json = R"({"Hi":"there"})";
  meta.notices.push_back({NoticeSeverity::kWarning, "careful", "", {}});
  SetFrameMeta(frame, meta);
  const std::vector<std::vector<Field::Value>> values = {
      {Timestamp{1'700'000'000'123'456'789}, Timestamp{-1}, Timestamp{0}},
      {1.5, -0.0, std::numeric_limits<double>::infinity()},
      {std::numeric_limits<int64_t>::min(), int64_t{0},
       std::numeric_limits<int64_t>::max()},
      {std::string("a"), std::string(""), std::string("\xe2\x82\xac")},
      {true, false, true},
      {int8_t{-128}, int8_t{0}, int8_t{127}},
      {int16_t{-32768}, int16_t{1}, int16_t{32767}},
      {int32_t{-5}, int32_t{0}, std::numeric_limits<int32_t>::max()},
      {uint8_t{0}, uint8_t{1}, uint8_t{255}},
      {uint16_t{0}, uint16_t{2}, uint16_t{65535}},
      {uint32_t{0}, uint32_t{3}, std::numeric_limits<uint32_t>::max()},
      {uint64_t{0}, uint64_t{4}, std::numeric_limits<uint64_t>::max()},
      {0.1f, -2.5f, std::numeric_limits<float>::max()},
      {RawJSON{R"({"a":[1,2]})"}, RawJSON{"null"}, RawJSON{"\"s\""}},
      {EnumIndex{0}, EnumIndex{1}, EnumIndex{65535}},
  };
  for (size_t t = 0; t < values.size(); ++t) {
    const auto type = static_cast<FieldType>(t);
    frame.AddField("f" + std::to_string(t), type);
    frame.AddField("n" + std::to_string(t), type, true,
                   {{"host", "a"}, {"t", std::to_string(t)}});
    // References only now: AddField may move earlier fields.
    Field& plain = frame.fields()[2 * t];
    Field& nullable = frame.fields()[2 * t + 1];
    nullable.set_config_json(R"({"unit":"ms"})");
    for (size_t row = 0; row < 3; ++row) {
      plain.Append(values[t][row]);
      nullable.Append(row == 1 ? Field::Value{} : values[t][row]);
    }
  }
  return frame;
}

void ExpectSameFrame(const Frame& want, const Frame& got) {
  EXPECT_EQ(got.name(), want.name());
  EXPECT_EQ(got.ref_id(), want.ref_id());
  ASSERT_EQ(got.fields().size(), want.fields().size());
  for (size_t i = 0; i < want.fields().size(); ++i) {
    const Field& w = want.fields()[i];
    const Field& g = got.fields()[i];
    SCOPED_TRACE(w.name());
    EXPECT_EQ(g.name(), w.name());
    EXPECT_EQ(g.type(), w.type());
    EXPECT_EQ(g.nullable(), w.nullable());
    EXPECT_EQ(g.labels(), w.labels());
    EXPECT_EQ(g.config_json(), w.config_json());
    ASSERT_EQ(g.size(), w.size());
    for (size_t row = 0; row < w.size(); ++row) {
      EXPECT_EQ(g.IsNull(row), w.IsNull(row)) << "row " << row;
      EXPECT_TRUE(g.ValueAt(row) == w.ValueAt(row)) << "row " << row;
    }
  }
}

std::string Encode(const Frame& frame) {
  std::string bytes;
  Status status = FrameToArrow(frame, &bytes);
  EXPECT_TRUE(status.ok()) << status.message();
  return bytes;
}

TEST(FrameArrowTest, EveryFieldTypeRoundTripsWithNullsLabelsAndMeta) {
  const Frame frame = AllTypesFrame();
  Frame decoded;
  Status status = FrameFromArrow(Encode(frame), &decoded);
  ASSERT_TRUE(status.ok()) << status.message();
  ExpectSameFrame(frame, decoded);
  FrameMeta meta;
  ASSERT_TRUE(FrameMetaFromJSON(decoded.meta_json(), &meta).ok());
  EXPECT_EQ(meta.channel, "ds/testdata/random-20Hz-stream");
  EXPECT_EQ(meta.executed_query_string, "SELECT 1");
  EXPECT_EQ(meta.custom_json, R"({"Hi":"there"})");
  ASSERT_EQ(meta.notices.size(), 1u);
  EXPECT_EQ(meta.notices[0].severity, NoticeSeverity::kWarning);
  EXPECT_EQ(meta.notices[0].text, "careful");
}

TEST(FrameArrowTest, FrameWithoutRowsKeepsItsSchema) {
  Frame frame("empty");
  frame.AddField("time", FieldType::kTime);
  frame.AddField("value", FieldType::kFloat64, true);
  Frame decoded;
  ASSERT_TRUE(FrameFromArrow(Encode(frame), &decoded).ok());
  ExpectSameFrame(frame, decoded);
  EXPECT_EQ(decoded.rows(), 0u);
}

TEST(FrameArrowTest, UnequalColumnsAreRefused) {
  Frame frame;
  frame.AddField("a", FieldType::kInt64).AppendInt64(1);
  frame.AddField("b", FieldType::kInt64);
  std::string bytes = "unchanged";
  Status status = FrameToArrow(frame, &bytes);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bytes, "unchanged");
}

// ---- the file as Go's reader sees it -------------------------------------

uint32_t Uint32At(std::string_view bytes, size_t at) {
  uint32_t v;
  std::memcpy(&v, bytes.data() + at, 4);
  return v;
}

std::map<std::string, std::string> Metadata(
    const flatbuffers::Vector<flatbuffers::Offset<arrowfb::KeyValue>>* kvs) {
  std::map<std::string, std::string> out;
  if (kvs == nullptr) return out;
  for (const auto* kv : *kvs) out[kv->key()->str()] = kv->value()->str();
  return out;
}

std::vector<std::string> Keys(
    const flatbuffers::Vector<flatbuffers::Offset<arrowfb::KeyValue>>* kvs) {
  std::vector<std::string> keys;
  for (const auto* kv : *kvs) keys.push_back(kv->key()->str());
  return keys;
}

// Parsed independently of FrameFromArrow: the footer and the schema in it.
class ArrowLayoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bytes_ = Encode(AllTypesFrame());
    ASSERT_GT(bytes_.size(), 20u);
    const uint32_t footer_size = Uint32At(bytes_, bytes_.size() - 10);
    footer_copy_ = bytes_.substr(bytes_.size() - 10 - footer_size, footer_size);
    flatbuffers::Verifier verifier(
        reinterpret_cast<const uint8_t*>(footer_copy_.data()),
        footer_copy_.size());
    ASSERT_TRUE(verifier.VerifyBuffer<arrowfb::Footer>(nullptr));
    footer_ = flatbuffers::GetRoot<arrowfb::Footer>(footer_copy_.data());
  }

  std::string bytes_;
  std::string footer_copy_;
  const arrowfb::Footer* footer_ = nullptr;
};

TEST_F(ArrowLayoutTest, IsAnIpcFileWithMagicSchemaOneBatchAndFooter) {
  EXPECT_EQ(bytes_.substr(0, 8), std::string("ARROW1\0\0", 8));
  EXPECT_EQ(bytes_.substr(bytes_.size() - 6), "ARROW1");
  EXPECT_EQ(Uint32At(bytes_, 8), 0xFFFFFFFFu);  // schema message follows
  EXPECT_EQ(footer_->version(), arrowfb::MetadataVersion_V5);
  ASSERT_NE(footer_->record_batches(), nullptr);
  ASSERT_EQ(footer_->record_batches()->size(), 1u);
  const arrowfb::Block* block = footer_->record_batches()->Get(0);
  EXPECT_EQ(block->offset() % 8, 0);
  EXPECT_EQ(block->meta_data_length() % 8, 0);
  EXPECT_EQ(block->body_length() % 8, 0);
  EXPECT_EQ(Uint32At(bytes_, block->offset()), 0xFFFFFFFFu);
  // The end-of-stream marker sits right after the batch's body.
  const size_t eos =
      block->offset() + block->meta_data_length() + block->body_length();
  EXPECT_EQ(Uint32At(bytes_, eos), 0xFFFFFFFFu);
  EXPECT_EQ(Uint32At(bytes_, eos + 4), 0u);
}

TEST_F(ArrowLayoutTest, SchemaMetadataHasGoSDKKeysSorted) {
  const arrowfb::Schema* schema = footer_->schema();
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(Keys(schema->custom_metadata()),
            (std::vector<std::string>{"meta", "name", "refId"}));
  auto md = Metadata(schema->custom_metadata());
  EXPECT_EQ(md["name"], "many_types");
  EXPECT_EQ(md["refId"], "A");
  EXPECT_EQ(
      md["meta"].rfind(R"({"typeVersion":[0,0],"custom":{"Hi":"there"})", 0),
      0u)
      << md["meta"];
}

TEST_F(ArrowLayoutTest, FieldsCarryTypesAndTstypeLabelsConfig) {
  const auto* fields = footer_->schema()->fields();
  ASSERT_EQ(fields->size(), 30u);
  const auto field = [&](FieldType t, bool nullable) {
    return fields->Get(static_cast<int>(t) * 2 + (nullable ? 1 : 0));
  };
  const auto* time = field(FieldType::kTime, false);
  ASSERT_EQ(time->type_type(), arrowfb::Type_Timestamp);
  EXPECT_EQ(time->type_as_Timestamp()->unit(), arrowfb::TimeUnit_NANOSECOND);
  EXPECT_FALSE(time->nullable());
  EXPECT_EQ(Keys(time->custom_metadata()), std::vector<std::string>{"tstype"});
  EXPECT_EQ(Metadata(time->custom_metadata())["tstype"], "time");
  ASSERT_NE(time->children(), nullptr);  // present, empty, as Arrow C++ wants

  const auto* nullable_enum = field(FieldType::kEnum, true);
  EXPECT_TRUE(nullable_enum->nullable());
  ASSERT_EQ(nullable_enum->type_type(), arrowfb::Type_Int);
  EXPECT_EQ(nullable_enum->type_as_Int()->bit_width(), 16);
  EXPECT_FALSE(nullable_enum->type_as_Int()->is_signed());
  EXPECT_EQ(Keys(nullable_enum->custom_metadata()),
            (std::vector<std::string>{"config", "labels", "tstype"}));
  auto md = Metadata(nullable_enum->custom_metadata());
  EXPECT_EQ(md["tstype"], "enum");
  EXPECT_EQ(md["labels"], R"({"host":"a","t":"14"})");
  EXPECT_EQ(md["config"], R"({"unit":"ms"})");

  EXPECT_EQ(field(FieldType::kJSON, false)->type_type(), arrowfb::Type_Binary);
  EXPECT_EQ(
      Metadata(field(FieldType::kJSON, false)->custom_metadata())["tstype"],
      "other");
  EXPECT_EQ(field(FieldType::kString, false)->type_type(), arrowfb::Type_Utf8);
  EXPECT_EQ(field(FieldType::kBool, false)->type_type(), arrowfb::Type_Bool);
  EXPECT_EQ(
      field(FieldType::kFloat32, false)->type_as_FloatingPoint()->precision(),
      arrowfb::Precision_SINGLE);
  EXPECT_EQ(
      Metadata(field(FieldType::kUint64, false)->custom_metadata())["tstype"],
      "number");
}

// ---- untrusted input ------------------------------------------------------

TEST(FrameArrowReaderTest, RefusesWhatIsNotAnArrowFile) {
  Frame frame("kept");
  for (std::string_view bad :
       {std::string_view(""), std::string_view("ARROW1"),
        std::string_view("not an arrow file at all, just text")}) {
    Status status = FrameFromArrow(bad, &frame);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_FALSE(status.message().empty());
  }
  EXPECT_EQ(frame.name(), "kept");
}

TEST(FrameArrowReaderTest, EveryTruncationIsRefused) {
  const std::string bytes = Encode(AllTypesFrame());
  for (size_t n = 0; n < bytes.size(); ++n) {
    Frame frame;
    EXPECT_FALSE(
        FrameFromArrow(std::string_view(bytes).substr(0, n), &frame).ok())
        << "prefix of " << n << " bytes";
  }
}

// Every single-byte change either still decodes or is refused; none may
// crash (run under ASan/UBSan by the fuzz build). The trailing magic and
// footer size are the parts a flip must make fail.
TEST(FrameArrowReaderTest, ByteFlipsNeverCrash) {
  const std::string bytes = Encode(AllTypesFrame());
  size_t refused = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string changed = bytes;
    changed[i] = static_cast<char>(changed[i] ^ 0xA5);
    Frame frame;
    if (!FrameFromArrow(changed, &frame).ok()) ++refused;
  }
  EXPECT_GT(refused, 0u);
  Frame frame;
  std::string bad_magic = bytes;
  bad_magic[bad_magic.size() - 1] = 'X';
  EXPECT_FALSE(FrameFromArrow(bad_magic, &frame).ok());
}

TEST(FrameArrowReaderTest, ABatchListedTwiceCannotOutgrowTheFile) {
  // A footer that names the same record batch many times would make a tiny
  // file decode into many rows; the byte budget refuses it.
  Frame frame;
  Field& f = frame.AddField("v", FieldType::kInt64);
  for (int i = 0; i < 64; ++i) f.AppendInt64(i);
  const std::string bytes = Encode(frame);
  const uint32_t footer_size = Uint32At(bytes, bytes.size() - 10);
  std::string footer_copy =
      bytes.substr(bytes.size() - 10 - footer_size, footer_size);
  const auto* footer =
      flatbuffers::GetRoot<arrowfb::Footer>(footer_copy.data());
  const arrowfb::Block block = *footer->record_batches()->Get(0);
  Frame decoded;
  ASSERT_TRUE(FrameFromArrow(bytes, &decoded).ok());
  // The same file with a footer of its schema and the block 200 times.
  const std::string head = bytes.substr(0, bytes.size() - 10 - footer_size);
  flatbuffers::FlatBufferBuilder b;
  auto name = b.CreateString("v");
  auto tstype = arrowfb::CreateKeyValue(b, b.CreateString("tstype"),
                                        b.CreateString("number"));
  auto field = arrowfb::CreateField(
      b, name, false, arrowfb::Type_Int,
      arrowfb::CreateInt(b, 64, true).Union(), 0,
      b.CreateVector(std::vector<flatbuffers::Offset<arrowfb::Field>>{}),
      b.CreateVector(std::vector{tstype}));
  auto schema = arrowfb::CreateSchema(b, arrowfb::Endianness_Little,
                                      b.CreateVector(std::vector{field}));
  std::vector<arrowfb::Block> blocks(200, block);
  b.Finish(arrowfb::CreateFooter(b, arrowfb::MetadataVersion_V5, schema, 0,
                                 b.CreateVectorOfStructs(blocks)));
  std::string evil = head;
  evil.append(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  const uint32_t size = b.GetSize();
  evil.append(reinterpret_cast<const char*>(&size), 4);
  evil.append("ARROW1");
  Status status = FrameFromArrow(evil, &decoded);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("overlap"), std::string::npos)
      << status.message();
}

}  // namespace
}  // namespace runnel::testing
