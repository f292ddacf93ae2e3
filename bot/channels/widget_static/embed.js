/* 前进小助手 on another website: <script src="https://<bot>/webhooks/widget/embed.js" async></script>
   adds a floating button that opens the chat page (served next to this script) in a frame.
   Styles are set property by property, so a strict style policy on the host page cannot break the button. */
(function () {
  "use strict";

  if (window.qianjinWidgetLoaded) {
    return;
  }
  window.qianjinWidgetLoaded = true;

  var script = document.currentScript || (function () {
    var candidates = document.querySelectorAll("script[src*='/webhooks/widget/embed.js']");
    return candidates[candidates.length - 1];
  })();
  var pageUrl = script.src.replace(/embed\.js([?#].*)?$/, "");
  var PHONE_WIDTH = 520;
  var LAYER = "2147483000";
  var PRIMARY = "#b3261e";

  function style(element, properties) {
    Object.keys(properties).forEach(function (name) {
      element.style.setProperty(name, properties[name]);
    });
  }

  function start() {
    var button = document.createElement("button");
    button.type = "button";
    button.id = "qianjin-widget-button";
    button.textContent = "前进小助手";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", "qianjin-widget-panel");
    style(button, {
      position: "fixed", right: "20px", bottom: "20px", "z-index": LAYER,
      padding: "12px 22px", border: "0", "border-radius": "999px", background: PRIMARY, color: "#ffffff",
      "font-size": "18px", "font-weight": "700", "line-height": "1.4", cursor: "pointer",
      "box-shadow": "0 4px 14px rgba(0, 0, 0, 0.3)",
      "font-family": "\"PingFang SC\", \"Microsoft YaHei\", \"Noto Sans CJK SC\", sans-serif"
    });

    var panel = document.createElement("div");
    panel.id = "qianjin-widget-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "前进小助手");
    style(panel, {
      position: "fixed", "z-index": LAYER, display: "none", "flex-direction": "column",
      background: "#ffffff", "box-shadow": "0 8px 30px rgba(0, 0, 0, 0.35)", overflow: "hidden"
    });

    var close = document.createElement("button");
    close.type = "button";
    close.id = "qianjin-widget-close";
    close.textContent = "关闭 ×";
    style(close, {
      margin: "0", padding: "8px 16px", border: "0", background: "#8c1d18",
      color: "#ffffff", "font-size": "16px", "min-height": "40px", cursor: "pointer", width: "100%",
      "text-align": "right"
    });
    panel.appendChild(close);

    var frame = null;

    function layout() {
      var phone = window.innerWidth <= PHONE_WIDTH;
      style(panel, phone ? {
        top: "0", right: "0", bottom: "0", left: "0", width: "100%", height: "100%", "border-radius": "0"
      } : {
        top: "auto", left: "auto", right: "20px", bottom: "84px", width: "380px",
        height: Math.max(320, Math.min(640, window.innerHeight - 110)) + "px", "border-radius": "12px"
      });
    }

    function open() {
      if (!frame) {
        frame = document.createElement("iframe");
        frame.src = pageUrl;
        frame.title = "前进小助手";
        style(frame, { flex: "1", width: "100%", border: "0" });
        panel.appendChild(frame);
      }
      layout();
      panel.style.setProperty("display", "flex");
      button.setAttribute("aria-expanded", "true");
      button.style.setProperty("display", window.innerWidth <= PHONE_WIDTH ? "none" : "block");
      close.focus();
    }

    function hide() {
      panel.style.setProperty("display", "none");
      button.setAttribute("aria-expanded", "false");
      button.style.setProperty("display", "block");
      button.focus();
    }

    button.addEventListener("click", function () {
      if (button.getAttribute("aria-expanded") === "true") {
        hide();
      } else {
        open();
      }
    });
    close.addEventListener("click", hide);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        hide();
      }
    });
    window.addEventListener("resize", layout);

    document.body.appendChild(button);
    document.body.appendChild(panel);
  }

  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
