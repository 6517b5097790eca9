// The one-pass decimal integer readers behind integer fields and
// timestamps: every boundary of int64 and uint64, with and without the
// from_chars fallback for tokens longer than 19 digits.
#include "push/field_value.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace runnel::host {
namespace {

TEST(ParseDecimalInt64Test, AcceptsEveryInt64AtTheBoundaries) {
  int64_t value = 0;
  EXPECT_EQ(ParseDecimalInt64("9223372036854775807", &value), IntegerText::kOk);
  EXPECT_EQ(value, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ParseDecimalInt64("-9223372036854775808", &value),
            IntegerText::kOk);
  EXPECT_EQ(value, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(ParseDecimalInt64("-0", &value), IntegerText::kOk);
  EXPECT_EQ(value, 0);
  EXPECT_EQ(ParseDecimalInt64("1765000000000000000", &value), IntegerText::kOk);
  EXPECT_EQ(value, 1765000000000000000);
  EXPECT_EQ(ParseDecimalInt64("00000000000000000000042", &value),
            IntegerText::kOk);
  EXPECT_EQ(value, 42);
}

TEST(ParseDecimalInt64Test, RefusesWhatIsOutsideInt64) {
  int64_t value = 0;
  EXPECT_EQ(ParseDecimalInt64("9223372036854775808", &value),
            IntegerText::kOutOfRange);
  EXPECT_EQ(ParseDecimalInt64("-9223372036854775809", &value),
            IntegerText::kOutOfRange);
  EXPECT_EQ(ParseDecimalInt64("9999999999999999999", &value),
            IntegerText::kOutOfRange);
  EXPECT_EQ(ParseDecimalInt64("18446744073709551617", &value),
            IntegerText::kOutOfRange);
}

TEST(ParseDecimalInt64Test, RefusesWhatIsNotAnInteger) {
  int64_t value = 0;
  for (const char* token : {"", "-", "+1", "1a", "1.5", " 1", "--1", "1-"}) {
    EXPECT_EQ(ParseDecimalInt64(token, &value), IntegerText::kNotInteger)
        << token;
  }
}

TEST(ParseDecimalUint64Test, CoversUint64AndNoSign) {
  uint64_t value = 0;
  EXPECT_EQ(ParseDecimalUint64("18446744073709551615", &value),
            IntegerText::kOk);
  EXPECT_EQ(value, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(ParseDecimalUint64("9999999999999999999", &value),
            IntegerText::kOk);
  EXPECT_EQ(value, 9999999999999999999u);
  EXPECT_EQ(ParseDecimalUint64("18446744073709551616", &value),
            IntegerText::kOutOfRange);
  EXPECT_EQ(ParseDecimalUint64("-1", &value), IntegerText::kNotInteger);
  EXPECT_EQ(ParseDecimalUint64("", &value), IntegerText::kNotInteger);
}

}  // namespace
}  // namespace runnel::host
