// talon_bench: how long making a talon takes (median and p99) and how big its PDF is, for the
// 80 mm roll and for A4. Not a test: the figures go to docs/benchmarks.md.
// Usage: talon_bench [talons]   (default 1000 of each)
#include "printer/talon.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace {

// A Kazakh and Russian talon as the kiosk makes it, with a QR code to the status page.
printer::Talon sample() {
    return {
        "Ақмола облысы әкімдігінің мемлекеттік қызметтер орталығы / Центр государственных "
        "услуг акимата Акмолинской области, Көкшетау қ., Абай к-сі 83",
        {"ШАҒЫМДЫ ҚАБЫЛДАУ ТАЛОНЫ", "ТАЛОН О ПРИЁМЕ ЖАЛОБЫ"},
        "Тіркеу нөмірі / Регистрационный номер",
        "ЖТ-2026-00000742",
        {
            {"Қабылданған күні мен уақыты / Дата и время приёма", "27.11.2026 10:15 (Asia/Almaty)"},
            {"Адресат / Адресат",
             "Көрсетілетін қызметті берушінің басшысына / Руководителю услугодателя"},
            {"Өтініш беруші / Заявитель", "Әбілқасымова А. Қ."},
            {"Қабылдаған / Принял", "Кенжебаева Г. С., киоск / киоск KSK-AKM-001"},
            {"Жауап берілетін күн / Ожидаемая дата ответа", "04.12.2026"},
        },
        {"Шағымның барысы: киоскіде нөмір бойынша, QR-код, 1414, 8-800-080-7777 (тегін). / "
         "Ход рассмотрения: на киоске по номеру, QR-код, 1414, 8-800-080-7777 (бесплатно).",
         "Қызмет нәтижесімен келіспеген жағдайда сотқа жүгінуге құқылысыз. / Вы вправе "
         "обратиться в суд, если не согласны с результатом услуги."},
        "https://eotinish.kz/status/%D0%96%D0%A2-2026-00000742",
    };
}

void measure(const char* paper, const printer::TalonStyle& style, int talons) {
    const printer::Talon talon = sample();
    std::size_t bytes = printer::render_talon(talon, style).size();  // warm the file cache
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
        measure("roll80", printer::TalonStyle::roll80(KIOSK_FONT), talons);
        measure("A4", printer::TalonStyle::a4(KIOSK_FONT), talons);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "talon_bench: %s\n", e.what());
        return 1;
    }
}
