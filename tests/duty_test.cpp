// The duty specialist: the configuration's name until staff set one, then theirs across
// restarts; names checked, the file private, a failed write said, nobody's name in the journal.
#include "kiosk/duty.h"
#include "kiosk/journal.h"

#include "process.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace kiosk {
namespace {

namespace fs = std::filesystem;

struct DutyTest : ::testing::Test {
    fs::path dir = testsupport::make_temp_dir("kiosk-duty");
    fs::path file = dir / "state" / DutySpecialist::kFileName;
    ~DutyTest() override { fs::remove_all(dir); }

    std::string saved() const {
        std::ifstream in(file, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), {}};
    }
    void write_file(const std::string& bytes) const {
        fs::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary) << bytes;
    }
    // Whether any journal line kept in memory holds text.
    static bool logged(const std::string& text) {
        for (const LogLine& line : recent_log(200))
            if (line.message.find(text) != std::string::npos) return true;
        return false;
    }
};

TEST_F(DutyTest, TheConfiguredNameStandsUntilStaffSetOne) {
    const DutySpecialist duty(file, "Әбенов Б. Б.");
    EXPECT_EQ(duty.name(), "Әбенов Б. Б.");
    EXPECT_FALSE(fs::exists(file));
}

TEST_F(DutyTest, ANameSetIsKeptAcrossRestartsInAPrivateFile) {
    {
        DutySpecialist duty(file, "Әбенов Б. Б.");
        std::string problem = "untouched";
        ASSERT_TRUE(duty.set("  Сейтқали А. Қ. ", &problem));  // spaces around are dropped
        EXPECT_EQ(problem, "untouched");
        EXPECT_EQ(duty.name(), "Сейтқали А. Қ.");
    }
    EXPECT_EQ(saved(), "Сейтқали А. Қ.\n");
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_FALSE(fs::exists(file.string() + ".tmp"));

    // The next start: the saved name, not the configured one.
    DutySpecialist again(file, "Әбенов Б. Б.");
    EXPECT_EQ(again.name(), "Сейтқали А. Қ.");
    ASSERT_TRUE(again.set("O'Brien-Smith J.", nullptr));
    EXPECT_EQ(DutySpecialist(file, "x").name(), "O'Brien-Smith J.");
}

TEST_F(DutyTest, NamesAreCheckedAndARefusedOneChangesNothing) {
    DutySpecialist duty(file, "Әбенов Б. Б.");
    const std::pair<std::string, std::string> refused[] = {
        {"", "error.missing"},
        {"   ", "error.missing"},
        {"Иван\xff", "error.bad_utf8"},
        {"Иван\xd0", "error.bad_utf8"},  // cut inside a letter
        {std::string(61, 'a'), "error.too_long"},
        {"Ivan0v", "staff.duty_not_a_name"},
        {"Ivanov\nI.", "staff.duty_not_a_name"},
        {"Ivanov\u200bI.", "staff.duty_not_a_name"},  // zero-width space
        {"Иванов <b>", "staff.duty_not_a_name"},
        {". - '", "staff.duty_not_a_name"},  // no letter at all
    };
    for (const auto& [name, key] : refused) {
        std::string problem;
        EXPECT_FALSE(duty.set(name, &problem)) << name;
        EXPECT_EQ(problem, key) << name;
        EXPECT_EQ(DutySpecialist::problem(name), key) << name;
        EXPECT_EQ(duty.name(), "Әбенов Б. Б.");
    }
    EXPECT_FALSE(fs::exists(file));

    // Sixty letters fit, in any of the three alphabets (Kazakh ones take two bytes each).
    std::string sixty;
    for (int i = 0; i < 60; ++i) sixty += "ә";
    EXPECT_EQ(DutySpecialist::problem(sixty), "");
    for (const char* fine : {"Ivanov I. I.", "Иванов И.", "Өмірзақ Ұ.", "Ömirzaq Ū.", "Д'Артаньян",
                             "Mukhamedzhan-uly A."})
        EXPECT_EQ(DutySpecialist::problem(fine), "") << fine;
}

TEST_F(DutyTest, AFolderThatCannotBeWrittenIsSaidAndTheNameStays) {
    // A file where the state folder should be: no user, root included, can write under it.
    std::ofstream(dir / "not-a-folder") << "x";
    DutySpecialist duty(dir / "not-a-folder" / DutySpecialist::kFileName, "Әбенов Б. Б.");
    std::string problem;
    EXPECT_FALSE(duty.set("Сейтқали А. Қ.", &problem));
    EXPECT_EQ(problem, "staff.duty_not_saved");
    EXPECT_EQ(duty.name(), "Әбенов Б. Б.");
    EXPECT_TRUE(logged("duty specialist not saved"));
    EXPECT_FALSE(logged("Сейтқали"));
}

TEST_F(DutyTest, ABadFileLeavesTheConfiguredNameAndTheJournalNamesNobody) {
    for (const std::string& bytes : {std::string("Сейтқали\xff\n"), std::string("Seitkali 2\n"),
                                     std::string(2000, 'a'), std::string("\n")}) {
        write_file(bytes);
        EXPECT_EQ(DutySpecialist(file, "Әбенов Б. Б.").name(), "Әбенов Б. Б.") << bytes.size();
    }
    EXPECT_TRUE(logged("holds no acceptable name"));
    EXPECT_FALSE(logged("Сейтқали"));
    EXPECT_FALSE(logged("Seitkali"));

    // Without the newline a hand-written file is read too.
    write_file("Сейтқали А. Қ.");
    EXPECT_EQ(DutySpecialist(file, "Әбенов Б. Б.").name(), "Сейтқали А. Қ.");
}

}  // namespace
}  // namespace kiosk
