// DTMI syntax of DTDL v2 and v3.
#include "core/dtdl/dtmi.hpp"

#include <gtest/gtest.h>
#include <string>

using namespace dtwin::core::dtdl;

TEST(DtdlDtmi, AcceptsWellFormedIdentifiers) {
    for (const int version : {2, 3}) {
        EXPECT_TRUE(is_valid_dtmi("dtmi:com:example:Room;1", version));
        EXPECT_TRUE(is_valid_dtmi("dtmi:foo_bar:Baz2;999999999", version));
    }
}

TEST(DtdlDtmi, VersionRulesDifferBetweenV2AndV3) {
    EXPECT_FALSE(is_valid_dtmi("dtmi:foo:bar", 2));
    EXPECT_TRUE(is_valid_dtmi("dtmi:foo:bar", 3));
    EXPECT_FALSE(is_valid_dtmi("dtmi:foo:bar", 3, true));
    EXPECT_FALSE(is_valid_dtmi("dtmi:foo:bar;3.14", 2));
    EXPECT_TRUE(is_valid_dtmi("dtmi:foo:bar;3.14", 3));
    EXPECT_TRUE(is_valid_dtmi("dtmi:foo:bar;3.141592", 3));
    EXPECT_FALSE(is_valid_dtmi("dtmi:foo:bar;3.1415926", 3));
}

TEST(DtdlDtmi, RejectsMalformedIdentifiers) {
    for (const char* text : {"dtmi:foo:bar;0", "dtmi:foo:bar;01", "dtmi:foo:bar;1234567890", "dtmi:foo:bar;",
                             "dtmi:foo::bar;1", "dtmi:;1", "dtmi:test:_x;1", "dtmi:test:x_;1", "dtmi:test:1x;1",
                             "dtmi:foo:bar.baz;1", "urn:foo:bar:1", "dtmi:foo:bar;3.0", "dtmi:foo:bar;6.02"}) {
        EXPECT_FALSE(is_valid_dtmi(text, 3)) << text;
    }
    EXPECT_FALSE(is_valid_dtmi("dtmi:a:" + std::string(5000, 'b') + ";1", 3));
}

TEST(DtdlDtmi, KnowsReservedPrefixes) {
    EXPECT_TRUE(is_reserved_dtmi("dtmi:dtdl:example;1"));
    EXPECT_TRUE(is_reserved_dtmi("dtmi:standard:example;1"));
    EXPECT_FALSE(is_reserved_dtmi("dtmi:dtwin:example;1"));
}
