// talon_bench: how long making a talon takes (median and p99) and how big its PDF is, for the
// 80 mm roll and for A4. Not a test: the figures go to docs/benchmarks.md.
// Usage: talon_bench [talons [folder]]   (default 1000 of each; folder: write roll80.pdf and
// a4.pdf there, to look at)
#include "printer/talon.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// A Kazakh and Russian talon as the kiosk makes it: service, provider, addressee, the duty
// specialist, the deadline framed, a QR code to the status page with its short address.
printer::Talon sample() {
    printer::Talon t;
    t.office =
        "Ақмола облысы әкімдігінің мемлекеттік қызметтер орталығы / Центр "
        "государственных услуг акимата Акмолинской области, Көкшетау қ., Абай к-сі 83";
    t.title = {"ШАҒЫМДЫ ҚАБЫЛДАУ ТАЛОНЫ", "ТАЛОН О ПРИЁМЕ ЖАЛОБЫ"};
    t.number_label = {"Тіркеу нөмірі", "Регистрационный номер"};
    t.number = "ЖТ-2026-00000742";
    t.lines = {
        {{"Қабылданған күні мен уақыты", "Дата и время приёма"}, "27.11.2026 10:15"},
        {{"Көрсетілетін қызмет", "Услуга"},
         "Жеке тұлғаларды тіркеу / Регистрация по месту жительства"},
        {{"Көрсетілетін қызметті беруші", "Услугодатель"},
         "«Азаматтарға арналған үкімет» МК / НАО «Правительство для граждан»"},
        {{"Адресат", "Адресат"},
         "Көрсетілетін қызметті берушінің басшысына / Руководителю услугодателя"},
        {{"Өтініш беруші", "Заявитель"}, "Әбілқасымова А. Қ."},
        {{"Кезекші маман", "Дежурный специалист"}, "Кенжебаева Г. С., киоск KSK-AKM-001"},
        {{"Жауап берілетін күн", "Ожидаемая дата ответа"}, "04.12.2026", true},
    };
    t.footer = {
        "Шағымның барысы: киоскіде нөмір бойынша, QR-код, 1414, 8-800-080-7777 (тегін).",
        "Ход рассмотрения: на киоске по номеру, QR-код, 1414, 8-800-080-7777 (бесплатно).",
        "Қызмет нәтижесімен келіспеген жағдайда сотқа жүгінуге құқылысыз.",
        "Вы вправе обратиться в суд, если не согласны с результатом услуги.",
    };
    t.qr_url = "https://eotinish.kz/status/%D0%96%D0%A2-2026-00000742";
    t.qr_caption = "eotinish.kz/status/ЖТ-2026-00000742";
    return t;
}

void write(const std::string& path, const std::vector<unsigned char>& pdf) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(pdf.data()), static_cast<std::streamsize>(pdf.size()));
    if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

void measure(const char* paper, const printer::TalonStyle& style, int talons,
             const std::string& folder) {
    const printer::Talon talon = sample();
    const auto first = printer::render_talon(talon, style);  // warms the file cache
    if (!folder.empty()) write(folder + "/" + paper + ".pdf", first);
    std::size_t bytes = first.size();
    std::vector<double> ms;
    ms.reserve(static_cast<std::size_t>(talons));
    for (int i = 0; i < talons; ++i) {
        const auto start = std::chrono::steady_clock::now();
        bytes = printer::render_talon(talon, style).size();
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
    }
    std::sort(ms.begin(), ms.end());
    const auto at = [&](double q) {
        return ms[static_cast<std::size_t>(std::ceil(q * static_cast<double>(ms.size()))) - 1];
    };
    std::printf("%-8s talons %d  median %.2f ms  p99 %.2f ms  max %.2f ms  PDF %zu bytes\n", paper,
                talons, at(0.5), at(0.99), ms.back(), bytes);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const int talons = argc > 1 ? std::stoi(argv[1]) : 1000;
        if (talons < 1) throw std::invalid_argument("talons must be at least 1");
        const std::string folder = argc > 2 ? argv[2] : "";
        measure("roll80", printer::TalonStyle::roll80(KIOSK_FONT), talons, folder);
        measure("a4", printer::TalonStyle::a4(KIOSK_FONT), talons, folder);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "talon_bench: %s\n", e.what());
        return 1;
    }
}
